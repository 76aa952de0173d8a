package dev.ferry.executor.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.executor.api.DirectExecutionContext;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

class H2Test extends JdbcContract {
    private static int databases;
    /** One in-memory database per test (JUnit makes an instance per test), shared by all its datasources. */
    private final String database = "test" + databases++;

    @Override
    DataSource raw() {
        JdbcDataSource ds = new JdbcDataSource();
        // kept while connections are open
        ds.setURL("jdbc:h2:mem:" + database + ";DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=10");
        return ds;
    }

    @Override
    String driver() {
        return "org.h2.Driver";
    }

    @Override
    String binaryType() {
        return "varbinary(100)";
    }

    @Override
    String binaryLiteral() {
        return "X'010203'";
    }

    @Override
    String range(int count) {
        return "select rownum() as n from system_range(1, " + count + ")";
    }

    @Override
    String setSchema(String schema) {
        return "set schema " + schema;
    }

    /**
     * New-user finding #9 (issue 26): a wrong password showed only as HikariCP's "Connection is not available,
     * request timed out after 5000ms". The task's error and the health name the database's own answer, within a
     * second of the first task.
     */
    @Test
    void aWrongPasswordIsNamedAtTheFirstTaskAndInHealth() throws Exception {
        String url = "jdbc:h2:mem:auth" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
        try (java.sql.Connection owner = java.sql.DriverManager.getConnection(url, "sa", "right-password")) {
            JdbcDataSource raw = new JdbcDataSource();
            raw.setURL(url);
            ManagedDataSource wrong = new ManagedDataSource(
                    new DataSourceSettings(
                            "wrong",
                            driver(),
                            url,
                            "sa",
                            "wrong-password",
                            "",
                            2,
                            true,
                            30,
                            1000,
                            1024 * 1024,
                            "",
                            "",
                            ""),
                    raw);
            jdbc.addDatasource(wrong);
            try {
                long start = System.nanoTime();
                Result r = run("{\"datasource\":\"wrong\",\"query\":\"select 1 as one\"}");
                java.time.Duration took = java.time.Duration.ofNanos(System.nanoTime() - start);
                assertThat(r.status()).isEqualTo(Status.ERROR);
                assertThat(r.error())
                        .contains("Wrong user name or password")
                        .contains("for user 'sa'")
                        .doesNotContain("wrong-password");
                assertThat(took).as("the first task's answer").isLessThan(java.time.Duration.ofSeconds(1));
                assertThat(wrong.health().message()).contains("Wrong user name or password");
            } finally {
                wrong.deactivate();
            }
        }
    }

    /** H2's other session state: a throttle, a variable, a local temporary table; none reaches the next task. */
    @Test
    void h2SessionSettingsNeverOutliveTheirTask() throws Exception {
        ManagedDataSource one = poolOfOne("one", false);
        try {
            assertThat(run("{\"datasource\":\"one\",\"query\":\"set @leak = 42\"}")
                            .status())
                    .isEqualTo(Status.SUCCEEDED);
            assertThat(run("{\"datasource\":\"one\",\"query\":\"create local temporary table mine (i integer)\"}")
                            .status())
                    .isEqualTo(Status.SUCCEEDED);
            assertThat(run("{\"datasource\":\"one\",\"query\":\"set throttle 1000\"}")
                            .status())
                    .isEqualTo(Status.SUCCEEDED);
            JsonNode state = rows(run("{\"datasource\":\"one\",\"query\":\"select count(*) as c from"
                    + " information_schema.session_state where state_key <> 'SCHEMA'\"}"));
            assertThat(state.get(0).get("c").asInt())
                    .as("variables and temporary tables left by earlier tasks")
                    .isZero();
            long start = System.nanoTime();
            run("{\"datasource\":\"one\",\"query\":\"select 1 as one\"}");
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - start))
                    .as("throttled by an earlier task")
                    .isLessThan(java.time.Duration.ofMillis(900));
        } finally {
            one.deactivate();
        }
    }

    @Override
    String nextValue(String sequence) {
        return "next value for " + sequence;
    }

    @Test
    void aDataChangeDeltaTableInAQueryIsRefusedOnAReadOnlyDatasource() throws Exception {
        run("{\"datasource\":\"rw\",\"query\":\"create table t (i integer)\"}");
        Result r = run("{\"datasource\":\"ro\",\"query\":\"select * from final table (insert into t values (78))\"}");
        assertThat(r.status()).isEqualTo(Status.REJECTED);
        assertThat(r.error()).contains("read-only").contains("FINAL TABLE");
        assertThat(rows(run("{\"datasource\":\"ro\",\"query\":\"select count(*) as c from t\"}"))
                        .get(0)
                        .get("c")
                        .asInt())
                .isZero();
    }

    /** JAVA_OBJECT values come back as their bytes: nothing a query makes up is deserialized in the worker. */
    @Test
    void aJavaObjectIsNeverDeserialized() throws Exception {
        Result r =
                run("{\"datasource\":\"ro\",\"query\":\"select cast(X'aced0005740003616263' as java_object) as o\"}");
        assertThat(rows(r).get(0).get("o").asText()).isEqualTo("rO0ABXQAA2FiYw=="); // base64 of the bytes, not "abc"
    }

    @Test
    void encodingStopsWhenTheTaskIsStopped() throws Exception {
        DirectExecutionContext ctx = DirectExecutionContext.withTimeout(java.time.Duration.ofMinutes(1));
        ctx.timeOut();
        try (java.sql.Connection c = readOnly.connection();
                java.sql.ResultSet rs = c.createStatement().executeQuery(range(10))) {
            assertThatThrownBy(() -> Rows.read(rs, 1000, 1 << 20, ctx)).isInstanceOf(Rows.Stopped.class);
        }
    }

    @Override
    String runningStatements(String fragment) {
        return "select count(*) from information_schema.sessions where session_id <> session_id()"
                + " and executing_statement like '%" + fragment.replace("'", "''") + "%'";
    }

    @Override
    String slowQuery() {
        return "select count(*) from system_range(1, 100000) a, system_range(1, 100000) b";
    }
}
