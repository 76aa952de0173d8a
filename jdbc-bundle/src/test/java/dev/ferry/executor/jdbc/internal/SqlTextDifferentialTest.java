package dev.ferry.executor.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testing.Needs;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The statement counter against the databases themselves, on generated texts: each text starts with a
 * statement that advances a sequence, followed by tails that are valid SQL in one database or both
 * (more such statements, strings, E-strings, dollar quotes, line comments ended by CR or LF, nested
 * block comments, quoted identifiers), filled with junk of every character that opens, closes or
 * escapes something. The database runs
 * the whole text as its JDBC driver does (H2 in one prepared statement, pgjdbc by splitting it), and the
 * sequence, which no rollback takes back, tells how many statements it ran. Whenever {@link SqlText}
 * says one statement, the database ran at most one.
 */
class SqlTextDifferentialTest {
    /** Tails that are valid after a query in one database or both, with J standing for generated junk. */
    private static final String[] TAILS = {
        ";§",
        ";§",
        " where 'J' = 'J'",
        " where'J'='J'",
        " where E'J' = E'J'",
        " where e'J'='J'",
        " -- J\n",
        " -- J\r",
        " // J\n",
        " // J\r",
        " /* J */",
        " /* /* J */ J */",
        " where $$J$$ = $$J$$",
        " where $a$J$a$ = $a$J$a$",
        " as \"J\"",
        " as `J`",
        " where U&'J' = 'J'"
    };
    /** What junk is made of: every character that opens, closes or escapes something, and a statement. */
    private static final String[] JUNK = {
        ";", "; ", "'", "''", "\\", "-", "--", "/", "*", "/*", "*/", "\r", "\n", "$", "$$", "$a$", "\"", "`", "E", "e",
        " ", "a", ";§", ";§ --", "where"
    };

    private static final int TEXTS = 4000;

    @Test
    void h2NeverRunsMoreThanOneStatementOfATextCountedAsOne() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:differential;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        check(h2, "select next value for ctr", SqlText.Dialect.H2);
    }

    @Test
    void postgresqlNeverRunsMoreThanOneStatementOfATextCountedAsOne() throws Exception {
        String url = Needs.env("FERRY_TEST_PG_URL", "a PostgreSQL server (jdbc:postgresql://host:port/db?user=…)");
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setURL(url);
        check(pg, "select nextval('ctr')", SqlText.Dialect.POSTGRESQL);
        // and with backslash escapes in every string, as a server configured so reads them
        try (Connection c = pg.getConnection();
                Statement st = c.createStatement()) {
            st.execute("alter database " + c.getCatalog() + " set standard_conforming_strings = off");
        }
        try {
            check(pg, "select nextval('ctr')", SqlText.Dialect.POSTGRESQL);
        } finally {
            try (Connection c = pg.getConnection();
                    Statement st = c.createStatement()) {
                st.execute("alter database " + c.getCatalog() + " reset standard_conforming_strings");
            }
        }
    }

    private static void check(DataSource ds, String advance, SqlText.Dialect dialect) throws Exception {
        Random random = new Random(2026_12_02L);
        int one = 0;
        int oneThatRan = 0;
        int several = 0;
        int severalThatRanSeveral = 0;
        List<String> broken = new ArrayList<>();
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement()) {
            st.execute("drop sequence if exists ctr");
            st.execute("create sequence ctr");
            for (int t = 0; t < TEXTS; t++) {
                String text = text(random, advance);
                int counted = SqlText.of(text, dialect).statements;
                st.execute("alter sequence ctr restart with 1");
                try (PreparedStatement ps = c.prepareStatement(text)) {
                    ps.execute();
                    while (ps.getMoreResults() || ps.getUpdateCount() != -1) {
                        // every statement of the text runs
                    }
                } catch (SQLException e) {
                    // most generated texts are not valid SQL; what ran before the error is what counts
                }
                int ran;
                try (ResultSet rs = st.executeQuery(advance)) {
                    rs.next();
                    ran = rs.getInt(1) - 1;
                }
                if (counted <= 1) {
                    one++;
                    oneThatRan += ran == 1 ? 1 : 0;
                    if (ran > 1) {
                        broken.add(ran + " statements ran of: "
                                + text.replace("\n", "\\n").replace("\r", "\\r"));
                    }
                } else {
                    several++;
                    severalThatRanSeveral += ran > 1 ? 1 : 0;
                }
            }
            st.execute("drop sequence ctr");
        }
        assertThat(broken)
                .as("texts counted as one statement of which the database ran more")
                .isEmpty();
        // the generator reaches both sides: single statements that run, and texts the database runs several of
        assertThat(oneThatRan).as("of " + one + " texts counted as one").isGreaterThan(200);
        assertThat(severalThatRanSeveral)
                .as("of " + several + " texts counted as several")
                .isGreaterThan(50);
    }

    /** A statement that advances the sequence, then up to 4 tails (§ is that statement again). */
    private static String text(Random r, String advance) {
        StringBuilder b = new StringBuilder(advance);
        int n = r.nextInt(5);
        for (int i = 0; i < n; i++) {
            String tail = TAILS[r.nextInt(TAILS.length)];
            StringBuilder t = new StringBuilder();
            for (char c : tail.toCharArray()) {
                if (c == 'J') {
                    int k = r.nextInt(4);
                    for (int j = 0; j < k; j++) {
                        t.append(JUNK[r.nextInt(JUNK.length)]);
                    }
                } else {
                    t.append(c);
                }
            }
            b.append(t.toString().replace("§", advance));
        }
        return b.toString();
    }
}
