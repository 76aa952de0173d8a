package dev.ferry.executor.jdbc.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a task's SQL text holds, read the way its database reads it, and counted the most cautious
 * way where a database can read it more than one way: a text for PostgreSQL is read as PostgreSQL (and
 * its JDBC driver, which splits a text into statements) reads it with standard-conforming strings, and
 * again with backslash escapes in every string (a server or session with {@code
 * standard_conforming_strings = off}); a text for H2 as H2 reads it; a text for a database Ferry does
 * not know in all three ways. Its statement count is the highest of its readings and its words are
 * those of all of them, so a text is one statement only when every reading says so.
 *
 * <ul>
 * <li>Everywhere: {@code '…'} strings and {@code "…"} identifiers with doubled quotes inside, nested
 * {@code /* … *}{@code /} comments, {@code --} comments ending at a line feed <em>or</em> a carriage
 * return.</li>
 * <li>H2: {@code //} comments, {@code `…`} quoted identifiers, {@code $$…$$} strings; no backslash
 * escapes (an {@code E} before a quote is a word).</li>
 * <li>PostgreSQL: {@code E'…'} (an {@code E} that does not end a longer word) with backslash escapes,
 * {@code $tag$…$tag$} dollar quotes.</li>
 * </ul>
 *
 * <p>Drivers run every statement of a text like {@code select 1; drop table t} (H2 inside one
 * prepared statement, pgjdbc by splitting it), and a second statement escapes what the first was
 * checked for; so a task's text must be one statement, unless the datasource allows more.
 * {@code SqlTextDifferentialTest} runs these readings against the real databases on generated texts.
 */
final class SqlText {
    /** One database's way of reading a text. */
    enum Reading {
        H2(true, false, false),
        POSTGRESQL(false, true, false),
        /** PostgreSQL with standard_conforming_strings off: a backslash escapes in every string. */
        POSTGRESQL_BACKSLASHES(false, true, true);

        final boolean h2;
        final boolean postgres;
        final boolean backslashesEverywhere;

        Reading(boolean h2, boolean postgres, boolean backslashesEverywhere) {
            this.h2 = h2;
            this.postgres = postgres;
            this.backslashesEverywhere = backslashesEverywhere;
        }
    }

    /** The database a text goes to, by its driver: which readings count. */
    enum Dialect {
        H2(Reading.H2),
        POSTGRESQL(Reading.POSTGRESQL, Reading.POSTGRESQL_BACKSLASHES),
        /** A driver Ferry does not know: a text is one statement only if every reading Ferry knows says so. */
        ANY(Reading.values());

        final Reading[] readings;
        /**
         * Texts read lately, by content: tasks repeat their SQL with other parameters, and reading a text
         * is a fifth of a short query's cost in the executor. What a text holds depends on nothing but
         * the text and the dialect, so a hit is always right; the map is emptied when it gets large.
         */
        private final Map<String, SqlText> read = new ConcurrentHashMap<>();

        Dialect(Reading... readings) {
            this.readings = readings;
        }

        /** The dialect of a driver class name (a datasource's) or a JDBC URL (a raw DSN's). */
        static Dialect of(String driverOrUrl) {
            if (driverOrUrl.equals("org.h2.Driver") || driverOrUrl.startsWith("jdbc:h2:")) {
                return H2;
            }
            if (driverOrUrl.equals("org.postgresql.Driver") || driverOrUrl.startsWith("jdbc:postgresql:")) {
                return POSTGRESQL;
            }
            return ANY;
        }
    }

    private static final int READ_MAX = 512;
    private static final int READ_MAX_LENGTH = 4096;

    /** Statements: non-empty runs between top-level semicolons, the most any reading finds. */
    final int statements;
    /** What {@link #writeInQuery()} answers, worked out once: the first write construct any reading finds. */
    private final String write;

    /**
     * Whether any reading finds a word through which a statement can change its session's state in H2
     * ({@code SET SCHEMA}, {@code SET THROTTLE}, {@code SET(@v, …)}, a local temporary table): a
     * connection such a task ran on is closed instead of going back to the pool.
     */
    final boolean mayChangeSession;

    private SqlText(int statements, String write, boolean mayChangeSession) {
        this.statements = statements;
        this.write = write;
        this.mayChangeSession = mayChangeSession;
    }

    static SqlText of(String sql, Dialect dialect) {
        if (sql.length() > READ_MAX_LENGTH) {
            return read(sql, dialect);
        }
        SqlText known = dialect.read.get(sql);
        if (known == null) {
            if (dialect.read.size() >= READ_MAX) {
                dialect.read.clear();
            }
            known = read(sql, dialect);
            dialect.read.put(sql, known);
        }
        return known;
    }

    private static SqlText read(String sql, Dialect dialect) {
        int statements = 0;
        String write = null;
        boolean session = false;
        for (Reading reading : dialect.readings) {
            List<String> words = new ArrayList<>();
            statements = Math.max(statements, read(sql, reading, words));
            if (write == null) {
                write = findWrite(words);
            }
            session |= words.contains("SET") || words.contains("TEMPORARY");
        }
        return new SqlText(statements, write, session);
    }

    /** Reads the text as one database does; adds its words, returns its statement count. */
    static int read(String sql, Reading reading, List<String> words) {
        int statements = 0;
        boolean content = false; // something other than blanks and comments since the last ';'
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            char next = i + 1 < n ? sql.charAt(i + 1) : 0;
            if (c == '-' && next == '-' || reading.h2 && c == '/' && next == '/') {
                i = skipLine(sql, i + 2);
            } else if (c == '/' && next == '*') {
                i = skipBlockComment(sql, i + 2);
            } else if (c == '\'') {
                content = true;
                boolean escapes = reading.backslashesEverywhere || reading.postgres && escapeStringPrefix(sql, i);
                i = skipQuoted(sql, i + 1, '\'', escapes);
            } else if (c == '"' || reading.h2 && c == '`') {
                content = true;
                i = skipQuoted(sql, i + 1, c, false);
            } else if (c == '$' && dollarTag(sql, i, reading) != null) {
                content = true;
                String tag = dollarTag(sql, i, reading);
                int end = sql.indexOf(tag, i + tag.length());
                i = end < 0 ? n : end + tag.length();
            } else if (c == ';') {
                if (content) {
                    statements++;
                }
                content = false;
                i++;
            } else if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < n
                        && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_' || sql.charAt(i) == '$')) {
                    i++;
                }
                words.add(sql.substring(start, i).toUpperCase(Locale.ROOT));
                content = true;
            } else {
                if (!Character.isWhitespace(c)) {
                    content = true;
                }
                i++;
            }
        }
        if (content) {
            statements++;
        }
        return statements;
    }

    /** Whether the quote at i opens PostgreSQL's E'…': an E or e that is a word of its own, not the end of one. */
    private static boolean escapeStringPrefix(String sql, int quote) {
        if (quote < 1 || (sql.charAt(quote - 1) != 'E' && sql.charAt(quote - 1) != 'e')) {
            return false;
        }
        if (quote < 2) {
            return true;
        }
        char before = sql.charAt(quote - 2);
        return !(Character.isLetterOrDigit(before) || before == '_' || before == '$');
    }

    /**
     * Constructs that change data or state from inside a query, which a read-only datasource
     * refuses before the database sees them: data-change delta tables ({@code FINAL TABLE (INSERT …)}),
     * sequence advances ({@code NEXT VALUE FOR}, {@code nextval}, {@code setval}), data-changing
     * common table expressions and locking reads ({@code FOR UPDATE}), and what writes files on the
     * database's host ({@code COPY … TO}, {@code lo_export}, H2's {@code FILE_WRITE}, {@code SCRIPT TO}).
     * PostgreSQL also refuses them in its read-only transaction; H2 has no such transaction mode.
     *
     * @return null, or the construct found
     */
    String writeInQuery() {
        return write;
    }

    private static String findWrite(List<String> words) {
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            String next = i + 1 < words.size() ? words.get(i + 1) : "";
            if ((w.equals("FINAL") || w.equals("NEW") || w.equals("OLD")) && next.equals("TABLE")) {
                return w + " TABLE";
            }
            if (w.equals("NEXT") && next.equals("VALUE")) {
                return "NEXT VALUE FOR";
            }
            if (w.equals("NEXTVAL") || w.equals("SETVAL")) {
                return w.toLowerCase(Locale.ROOT);
            }
            if (w.equals("INSERT") || w.equals("UPDATE") || w.equals("DELETE") || w.equals("MERGE")) {
                return w; // a data-changing CTE, or a locking read (FOR UPDATE)
            }
            if (w.equals("COPY")
                    || w.equals("LO_EXPORT")
                    || w.equals("LO_IMPORT")
                    || w.equals("LO_UNLINK")
                    || w.equals("PG_FILE_WRITE")
                    || w.equals("DBLINK_EXEC")
                    || w.equals("FILE_WRITE")
                    || w.equals("CSVWRITE")
                    || w.equals("SCRIPT")
                    || w.equals("BACKUP")) {
                // writes a file on the database's host (PostgreSQL's COPY … TO and lo_export, H2's FILE_WRITE,
                // CSVWRITE, SCRIPT TO, BACKUP TO) or runs elsewhere (dblink_exec): a read-only transaction does
                // not stop them, and the error that follows comes after the write
                return w;
            }
            if (w.equals("PG_ADVISORY_LOCK")
                    || w.equals("PG_ADVISORY_LOCK_SHARED")
                    || w.equals("PG_TRY_ADVISORY_LOCK")
                    || w.equals("PG_TRY_ADVISORY_LOCK_SHARED")
                    || w.equals("PREPARE")
                    || w.equals("LOAD")
                    || w.equals("DBLINK_CONNECT")
                    || w.equals("DBLINK_CONNECT_U")) {
                // outlives the task in its pooled session, which a read-only task's rollback does not take back
                return w;
            }
        }
        return null;
    }

    /** Past a line comment: both databases end one at a line feed or a carriage return. */
    private static int skipLine(String sql, int from) {
        for (int i = from; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '\n' || c == '\r') {
                return i + 1;
            }
        }
        return sql.length();
    }

    private static int skipBlockComment(String sql, int from) {
        int depth = 1;
        int i = from;
        while (i < sql.length() && depth > 0) {
            if (sql.startsWith("/*", i)) {
                depth++;
                i += 2;
            } else if (sql.startsWith("*/", i)) {
                depth--;
                i += 2;
            } else {
                i++;
            }
        }
        return i;
    }

    private static int skipQuoted(String sql, int from, char quote, boolean backslashEscapes) {
        int i = from;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (backslashEscapes && c == '\\') {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    i += 2; // doubled quote inside
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        return i;
    }

    /** {@code $$} (both) or {@code $tag$} (PostgreSQL) starting at i, else null. */
    private static String dollarTag(String sql, int i, Reading reading) {
        if (i > 0 && (Character.isLetterOrDigit(sql.charAt(i - 1)) || sql.charAt(i - 1) == '_')) {
            return null; // part of an identifier such as a$b
        }
        if (reading.h2) {
            return sql.startsWith("$$", i) ? "$$" : null;
        }
        int j = i + 1;
        while (j < sql.length() && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
            j++;
        }
        if (j < sql.length() && sql.charAt(j) == '$' && (j == i + 1 || !Character.isDigit(sql.charAt(i + 1)))) {
            return sql.substring(i, j + 1);
        }
        return null;
    }
}
