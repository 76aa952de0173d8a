package dev.ferry.executor.jdbc.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a task's SQL text holds, read the way H2 and PostgreSQL read it: string literals
 * ({@code '…'}, {@code E'…'}), quoted identifiers ({@code "…"}), comments ({@code -- …}, nested
 * {@code /* … *}{@code /}) and PostgreSQL's dollar quotes ({@code $tag$ … $tag$}) are skipped, so a
 * {@code ;} or a keyword inside them counts for nothing.
 *
 * <p>Drivers run every statement of a text like {@code select 1; drop table t} (H2 inside one
 * prepared statement, pgjdbc by splitting it), and a second statement escapes what the first was
 * checked for; so a task's text must be one statement, unless the datasource allows more.
 */
final class SqlText {
    /**
     * Texts read lately, by content: tasks repeat their SQL with other parameters, and reading a text
     * is a fifth of a short query's cost in the executor. What a text holds depends on nothing but
     * the text, so a hit is always right; the map is emptied when it gets large, so it stays small.
     */
    private static final Map<String, SqlText> READ = new ConcurrentHashMap<>();
    private static final int READ_MAX = 512;
    private static final int READ_MAX_LENGTH = 4096;

    /** Words outside literals and comments, upper-cased, in order. */
    final List<String> words;
    /** Statements: non-empty runs between top-level semicolons. */
    final int statements;
    /** What {@link #writeInQuery()} answers, worked out once. */
    private final String write;

    private SqlText(List<String> words, int statements) {
        this.words = words;
        this.statements = statements;
        this.write = findWrite(words);
    }

    static SqlText of(String sql) {
        if (sql.length() > READ_MAX_LENGTH) {
            return read(sql);
        }
        SqlText known = READ.get(sql);
        if (known == null) {
            if (READ.size() >= READ_MAX) {
                READ.clear();
            }
            known = read(sql);
            READ.put(sql, known);
        }
        return known;
    }

    private static SqlText read(String sql) {
        List<String> words = new ArrayList<>();
        int statements = 0;
        boolean content = false; // something other than blanks and comments since the last ';'
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                i = skipTo(sql, i + 2, "\n");
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                i = skipBlockComment(sql, i + 2);
            } else if (c == '\'') {
                content = true;
                i = skipQuoted(sql, i + 1, '\'', i > 0 && (sql.charAt(i - 1) == 'E' || sql.charAt(i - 1) == 'e'));
            } else if (c == '"') {
                content = true;
                i = skipQuoted(sql, i + 1, '"', false);
            } else if (c == '$' && dollarTag(sql, i) != null) {
                content = true;
                String tag = dollarTag(sql, i);
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
                while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_' || sql.charAt(i) == '$')) {
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
        return new SqlText(List.copyOf(words), statements);
    }

    /**
     * Constructs that change data or state from inside a query, which a read-only datasource
     * refuses before the database sees them: data-change delta tables ({@code FINAL TABLE (INSERT …)}),
     * sequence advances ({@code NEXT VALUE FOR}, {@code nextval}, {@code setval}), data-changing
     * common table expressions and locking reads ({@code FOR UPDATE}).
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
        }
        return null;
    }

    private static int skipTo(String sql, int from, String end) {
        int at = sql.indexOf(end, from);
        return at < 0 ? sql.length() : at + end.length();
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

    /** {@code $$} or {@code $tag$} starting at i (PostgreSQL dollar quoting), else null. */
    private static String dollarTag(String sql, int i) {
        if (i > 0 && (Character.isLetterOrDigit(sql.charAt(i - 1)) || sql.charAt(i - 1) == '_')) {
            return null; // part of an identifier such as a$b
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
