package dev.ferry.executor.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.testing.Needs;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The same contract against a real PostgreSQL server: {@code .ci/run} starts one and sets
 * FERRY_TEST_PG_URL. Without it the tests are skipped, saying so; under CI they fail instead.
 */
class PostgresTest extends JdbcContract {
    static final String URL = System.getenv("FERRY_TEST_PG_URL");

    @BeforeAll
    static void server() {
        Needs.present(URL != null, "a PostgreSQL server (FERRY_TEST_PG_URL = jdbc:postgresql://host:port/db?user=…)");
    }

    @Test
    void aWriteHiddenInAQueryIsRefusedByTheReadOnlyTransaction() throws Exception {
        run("{\"datasource\":\"rw\",\"query\":\"create table t (i integer)\"}");
        Result r = run(
                "{\"datasource\":\"ro\",\"query\":\"with x as (insert into t values (1) returning i) select * from x\"}");
        assertThat(r.status()).isEqualTo(Status.REJECTED); // refused before the server sees it
        assertThat(r.error()).contains("read-only").contains("INSERT");
        // a write the worker cannot see in the text (inside a function) is refused by the server itself
        run("{\"datasource\":\"rw\",\"query\":\"create function bump() returns integer language sql as"
                + " $$ insert into t values (1) returning i $$\"}");
        r = run("{\"datasource\":\"ro\",\"query\":\"select bump() as b\"}");
        assertThat(r.status()).isEqualTo(Status.REJECTED); // the server's read_only_sql_transaction (25006)
        assertThat(r.error()).contains("read-only transaction");
        assertThat(rows(run("{\"datasource\":\"ro\",\"query\":\"select current_setting('default_transaction_read_only')"
                                + " as ro\"}"))
                        .get(0)
                        .get("ro")
                        .asText())
                .isEqualTo("on");
        run("{\"datasource\":\"rw\",\"query\":\"drop function bump()\"}");
    }

    @Test
    void aStackedCommitCannotEscapeTheReadOnlyTransaction() throws Exception {
        run("{\"datasource\":\"rw\",\"query\":\"create table t (i integer)\"}");
        assertThatThrownBy(
                        () -> run("{\"datasource\":\"ro\",\"query\":\"select 1; commit; insert into t values (80)\"}"))
                .hasMessageContaining("holds 3 statements");
        assertThat(rows(run("{\"datasource\":\"ro\",\"query\":\"select count(*) as c from t\"}"))
                        .get(0)
                        .get("c")
                        .asInt())
                .isZero();
    }

    /**
     * The round-2 attack (a smuggled commit and begin read write) is refused before anything runs; a
     * task that makes its session read-write changes nothing for the next task on that connection, where
     * a write hidden in a function is still refused by the server's read-only transaction.
     */
    @Test
    void aSmuggledBeginReadWriteAndASessionMadeReadWriteBothFail() throws Exception {
        run("{\"datasource\":\"rw\",\"query\":\"create table t (i integer, s text)\"}");
        assertThatThrownBy(() ->
                        run("{\"datasource\":\"ro\",\"query\":\"select 1 where'\\\\'='\\\\'; commit; begin read write;"
                                + " insert into t values (3,'smuggled'); commit; --'\"}"))
                .hasMessageContaining("statements");
        run("{\"datasource\":\"rw\",\"query\":\"create function bump() returns integer language sql as"
                + " $$ insert into t values (1, 'in a function') returning i $$\"}");
        ManagedDataSource one = poolOfOne("ro1", true);
        try {
            for (String readWrite : new String[] {
                "set session characteristics as transaction read write",
                "select set_config('default_transaction_read_only', 'off', false) as s"
            }) {
                run("{\"datasource\":\"ro1\",\"query\":\"" + readWrite + "\"}");
                Result bump = run("{\"datasource\":\"ro1\",\"query\":\"select bump() as b\"}");
                assertThat(bump.status())
                        .as(readWrite + ", then: " + bump.error())
                        .isEqualTo(Status.REJECTED);
                assertThat(bump.error()).contains("read-only transaction");
            }
        } finally {
            one.deactivate();
        }
        run("{\"datasource\":\"rw\",\"query\":\"drop function bump()\"}");
        assertThat(rows(run("{\"datasource\":\"ro\",\"query\":\"select count(*) as c from t\"}"))
                        .get(0)
                        .get("c")
                        .asInt())
                .isZero();
    }

    /** A writable datasource's task that sets the session's search path or timeout leaves nothing behind. */
    @Test
    void settingsATaskCommittedAreGoneForTheNextTask() throws Exception {
        ManagedDataSource one = poolOfOne("rw1", false);
        try {
            run("{\"datasource\":\"rw1\",\"query\":\"set statement_timeout = 1\"}");
            run("{\"datasource\":\"rw1\",\"query\":\"select pg_advisory_lock(4242)\"}");
            JsonNode row = rows(run(
                            "{\"datasource\":\"rw1\",\"query\":\"select current_setting('statement_timeout') as t,"
                                    + " (select count(*) from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()) as locks\"}"))
                    .get(0);
            assertThat(row.get("t").asText())
                    .as("the datasource's own statement timeout")
                    .isEqualTo("30s");
            assertThat(row.get("locks").asInt())
                    .as("advisory locks left by an earlier task")
                    .isZero();
        } finally {
            one.deactivate();
        }
    }

    /**
     * Security round 2, #16: COPY … TO a file on a read-only datasource (the test's role is a superuser, who may
     * write server files) was answered "only queries run" after the file had been written. It is refused before
     * the server sees it; so are lo_export, and what a read-only task's rollback would not take back from its
     * pooled session (a session advisory lock, a prepared statement).
     */
    @Test
    void aFileWriteOnTheServersHostIsRefusedBeforeItRuns() throws Exception {
        java.nio.file.Path target =
                java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "ferry-copy-" + System.nanoTime());
        for (String write : new String[] {
            "copy (select 1) to '" + target + "'",
            "select lo_export(1, '" + target + "')",
            "select pg_advisory_lock(4243)",
            "prepare p as select 1"
        }) {
            Result r = run("{\"datasource\":\"ro\",\"query\":\"" + write + "\"}");
            assertThat(r.status()).as(write).isEqualTo(Status.REJECTED);
            assertThat(r.error()).contains("read-only").contains("nothing was run");
        }
        assertThat(target).doesNotExist();
    }

    @Override
    String setSchema(String schema) {
        return "set search_path = " + schema;
    }

    @Test
    void dollarQuotedSemicolonsAreOneStatement() throws Exception {
        assertThat(rows(run("{\"datasource\":\"ro\",\"query\":\"select $x$a;b$x$ as s\"}"))
                        .get(0)
                        .get("s")
                        .asText())
                .isEqualTo("a;b");
    }

    @Override
    String nextValue(String sequence) {
        return "nextval('" + sequence + "')";
    }

    @Override
    DataSource raw() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(URL);
        return ds;
    }

    @Override
    String driver() {
        return "org.postgresql.Driver";
    }

    @Override
    String binaryType() {
        return "bytea";
    }

    @Override
    String binaryLiteral() {
        return "decode('010203', 'hex')";
    }

    @Override
    String range(int count) {
        return "select generate_series(1, " + count + ") as n";
    }

    @Override
    String runningStatements(String fragment) {
        return "select count(*) from pg_stat_activity where pid <> pg_backend_pid() and state = 'active'"
                + " and query like '%" + fragment.replace("'", "''") + "%'";
    }

    @Override
    String slowQuery() {
        return "select pg_sleep(30)";
    }
}
