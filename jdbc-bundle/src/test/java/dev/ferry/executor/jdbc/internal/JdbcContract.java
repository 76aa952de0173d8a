package dev.ferry.executor.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.executor.api.InvalidPayloadException;
import dev.ferry.executor.api.Rejection;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;
import dev.ferry.testing.Await;
import dev.ferry.testing.StoppingContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every database must do through the jdbc executor; run against H2 and PostgreSQL. */
abstract class JdbcContract {
    private static final ObjectMapper JSON = new ObjectMapper();

    JdbcExecutor jdbc;
    ManagedDataSource writable;
    ManagedDataSource readOnly;
    ManagedDataSource quick;

    /** A fresh raw DataSource of the database under test. */
    abstract DataSource raw() throws Exception;

    abstract String binaryType();

    /** The driver class, so the datasource is set up as the worker sets up one of that database. */
    abstract String driver();

    /** A query returning one column "n" with the numbers 1..count. */
    abstract String range(int count);

    /** A query that runs for many seconds. */
    abstract String slowQuery();

    /** The expression that advances a sequence. */
    abstract String nextValue(String sequence);

    @Test
    void stackedStatementsAreRefusedBeforeAnythingRuns() throws Exception {
        run("{\"datasource\":\"rw\",\"query\":\"create table t (i integer)\"}");
        for (String ds : new String[] {"ro", "rw"}) {
            assertThatThrownBy(() -> run("{\"datasource\":\"" + ds + "\",\"query\":\"select 1; drop table t\"}"))
                    .isInstanceOfSatisfying(
                            InvalidPayloadException.class,
                            e -> assertThat(e.field()).isEqualTo("query"))
                    .hasMessageContaining("holds 2 statements");
        }
        assertThatThrownBy(
                        () -> run("{\"datasource\":\"ro\",\"query\":\"select 1; insert into t values (80); commit\"}"))
                .hasMessageContaining("holds 3 statements");
        // still there, still empty
        assertThat(rows(run("{\"datasource\":\"ro\",\"query\":\"select count(*) as c from t\"}"))
                        .get(0)
                        .get("c")
                        .asInt())
                .isZero();
        // one statement, whatever quotes and comments hold
        assertThat(rows(run("{\"datasource\":\"ro\",\"query\":\"select ';' as s -- ; drop table t\\n;\"}"))
                        .get(0)
                        .get("s")
                        .asText())
                .isEqualTo(";");
        assertThat(rows(run("{\"datasource\":\"ro\",\"query\":\"select 1 as \\\"a;b\\\" /* ; drop table t */\"}"))
                        .get(0)
                        .has("a;b"))
                .isTrue();
    }

    /**
     * Texts that once passed as one statement on a read-only datasource while the database ran a write
     * after it (security round 2, #1): a quote after a word that ends in e, H2's // comments, a line comment
     * ended by a carriage return. Each is refused before anything runs (or, where this database reads it
     * as one statement, fails as one), and the table stays empty.
     */
    @Test
    void smuggledSecondStatementsAreRefusedBeforeAnythingRuns() throws Exception {
        run("{\"datasource\":\"rw\",\"query\":\"create table t (i integer, s varchar(20))\"}");
        for (String attack : new String[] {
            "select 1 where'\\\\'='\\\\'; insert into t values (2,'x'); commit; --'",
            "select 1 where'\\\\'='\\\\'; create table u (i integer); commit; --'",
            "select 1 where'\\\\'='\\\\'; drop table t; commit; --'",
            "select 1 // '\\n; insert into t values (3,'x'); commit; -- '",
            "select 1 --\\r; insert into t values (4,'x'); commit",
            "select 1 /* /* */ '; */ ; insert into t values (5,'x'); commit; -- '",
            "select 1 as \\\"'\\\"; insert into t values (6,'x'); commit; -- '"
        }) {
            try {
                Result r = run("{\"datasource\":\"ro\",\"query\":\"" + attack + "\"}");
                // one statement as this database reads it (PostgreSQL has no // comments): it fails as such
                assertThat(r.status()).as(attack + ": " + r.error()).isEqualTo(Status.FAILED);
            } catch (InvalidPayloadException e) {
                assertThat(e.field()).isEqualTo("query");
                assertThat(e.getMessage()).contains("statements");
            }
        }
        assertThat(rows(run("{\"datasource\":\"ro\",\"query\":\"select count(*) as c from t\"}"))
                        .get(0)
                        .get("c")
                        .asInt())
                .isZero();
    }

    /**
     * A task that changes its session's state on a pooled connection: the next task on that connection
     * (a pool of one, so it is the same) finds the session as the datasource set it up.
     */
    @Test
    void sessionStateNeverOutlivesItsTask() throws Exception {
        ManagedDataSource one = poolOfOne("one", false);
        try {
            run("{\"datasource\":\"one\",\"query\":\"create table t (i integer)\"}");
            run("{\"datasource\":\"one\",\"query\":\"create schema evil\"}");
            run("{\"datasource\":\"one\",\"query\":\"create table evil.t (i integer)\"}");
            for (int i = 0; i < 3; i++) {
                Result set = run("{\"datasource\":\"one\",\"query\":\"" + setSchema("evil") + "\"}");
                assertThat(set.status()).as(set.error()).isEqualTo(Status.SUCCEEDED);
            }
            for (int i = 0; i < 6; i++) {
                run("{\"datasource\":\"one\",\"query\":\"insert into t values (" + i + ")\"}");
            }
            assertThat(rows(run("{\"datasource\":\"one\",\"query\":\"select count(*) as c from evil.t\"}"))
                            .get(0)
                            .get("c")
                            .asInt())
                    .as("rows that landed in the schema a task chose for later tasks")
                    .isZero();
        } finally {
            run("{\"datasource\":\"rw\",\"query\":\"drop schema if exists evil cascade\"}");
            one.deactivate();
        }
    }

    /** The statement that makes a schema the session's default. */
    abstract String setSchema(String schema);

    @Test
    void aSequenceCannotBeAdvancedThroughAReadOnlyDatasource() throws Exception {
        run("{\"datasource\":\"rw\",\"query\":\"drop sequence if exists sq\"}");
        run("{\"datasource\":\"rw\",\"query\":\"create sequence sq\"}");
        Result r = run("{\"datasource\":\"ro\",\"query\":\"select " + nextValue("sq") + " as v\"}");
        assertThat(r.status()).isEqualTo(Status.REJECTED);
        assertThat(r.error()).contains("read-only");
        assertThat(rows(run("{\"datasource\":\"rw\",\"query\":\"select " + nextValue("sq") + " as v\"}"))
                        .get(0)
                        .get("v")
                        .asInt())
                .as("the first value: nothing advanced it before")
                .isEqualTo(1);
    }

    /** max_result_bytes holds inside one row: a value bigger than the cap is never copied into the answer. */
    @Test
    void theByteCapHoldsInsideOneValue() throws Exception {
        Result r = run("{\"datasource\":\"ro\",\"query\":\"select repeat('x', 5000000) as r\"}");
        assertThat(r.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(r.output().length).isLessThan(1024);
        assertThat(r.outputAsString()).isEqualTo("[]");
        assertThat(r.metadata()).containsEntry("truncated", "true").containsEntry("row_count", "0");
        Result two = run(
                "{\"datasource\":\"ro\",\"query\":\"select repeat('y', 10) as r union all select repeat('x', 5000000)\"}");
        assertThat(rows(two).size()).isEqualTo(1);
        assertThat(two.metadata()).containsEntry("truncated", "true");
    }

    @Test
    void aTasksTimeoutIsRoundedUpNeverDown() throws Exception {
        long start = System.nanoTime();
        Result r = run("{\"datasource\":\"rw\",\"query\":\"" + slowQuery() + "\",\"timeout_seconds\":1.2}");
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(r.status()).isEqualTo(Status.TIMED_OUT);
        assertThat(seconds)
                .as("the statement ran its full 1.2 s (the driver's timeout is whole seconds: 2)")
                .isGreaterThan(1.2);
    }

    @BeforeEach
    void datasources() throws Exception {
        jdbc = new JdbcExecutor(new JdbcSettings(false, List.of()));
        writable = new ManagedDataSource(settings("rw", false, 30), raw());
        readOnly = new ManagedDataSource(settings("ro", true, 30), raw());
        quick = new ManagedDataSource(settings("quick", true, 1), raw());
        jdbc.addDatasource(writable);
        jdbc.addDatasource(readOnly);
        jdbc.addDatasource(quick);
        run("{\"datasource\":\"rw\",\"query\":\"drop table if exists t\"}");
    }

    @AfterEach
    void close() {
        writable.deactivate();
        readOnly.deactivate();
        quick.deactivate();
    }

    /**
     * A datasource of one connection, added to the executor: the next task on it gets the connection the last
     * one used (what session state a task leaves is what the next one finds).
     */
    ManagedDataSource poolOfOne(String name, boolean readOnly) throws Exception {
        ManagedDataSource one = new ManagedDataSource(
                new DataSourceSettings(
                        name, driver(), "jdbc:test", "", "", "", 1, readOnly, 30, 1000, 1024 * 1024, "", "", ""),
                raw());
        jdbc.addDatasource(one);
        return one;
    }

    DataSourceSettings settings(String name, boolean readOnly, int statementTimeoutSeconds) {
        return new DataSourceSettings(
                name,
                driver(),
                "jdbc:test",
                "",
                "",
                "",
                4,
                readOnly,
                statementTimeoutSeconds,
                1000,
                1024 * 1024,
                "",
                "",
                "");
    }

    Result run(String payload) throws Exception {
        return run(payload, StoppingContext.withTimeout(Duration.ofMinutes(1)));
    }

    /** Runs a task as the registry would: its deadline (which the executor may bring forward) enforced, hooks and all. */
    Result run(String payload, StoppingContext context) throws Exception {
        return context.run(jdbc.prepare(Task.of("jdbc", payload)));
    }

    /** A query counting the statements of other sessions whose text holds {@code fragment}, running now. */
    abstract String runningStatements(String fragment);

    /** Whether a statement holding {@code fragment} runs now on the database, in another session. */
    boolean running(String fragment) throws Exception {
        try (java.sql.Connection c = raw().getConnection();
                java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery(runningStatements(fragment))) {
            return rs.next() && rs.getInt(1) > 0;
        }
    }

    static JsonNode rows(Result r) throws Exception {
        assertThat(r.status()).as(r.error()).isEqualTo(Status.SUCCEEDED);
        return JSON.readTree(r.output());
    }

    @Test
    void selectOneAnswersOne() throws Exception {
        Result r = run("{\"datasource\":\"ro\",\"query\":\"select 1 as answer\"}");
        JsonNode rows = rows(r);
        assertThat(rows.size()).isEqualTo(1);
        assertThat(rows.get(0).get("answer").isIntegralNumber()).isTrue();
        assertThat(rows.get(0).get("answer").asInt()).isEqualTo(1);
        assertThat(r.metadata()).containsEntry("row_count", "1").containsEntry("columns", "[\"answer\"]");
    }

    @Test
    void typesSurviveTheRoundTrip() throws Exception {
        Result create = run("{\"datasource\":\"rw\",\"query\":\"create table t (i integer, b bigint, d numeric(30,10),"
                + " f double precision, ok boolean, s varchar(100), dt date, ts timestamp, bin " + binaryType()
                + ", nothing varchar(10))\"}");
        assertThat(create.status()).as(create.error()).isEqualTo(Status.SUCCEEDED);
        Result insert =
                run("{\"datasource\":\"rw\",\"query\":\"insert into t values (?, ?, ?, ?, ?, ?, cast(? as date),"
                        + " cast(? as timestamp), ?, ?)\",\"params\":[42, 9007199254740993, 12345678901234567890.0123456789, 2.5,"
                        + " true, \"héllo\", \"2024-02-29\", \"2024-02-29 13:45:01.5\", null, null]}");
        assertThat(insert.metadata()).as(insert.error()).containsEntry("update_count", "1");
        assertThat(insert.outputAsString()).isEqualTo("{\"update_count\":1}");

        Result r = run("{\"datasource\":\"ro\",\"query\":\"select * from t\"}");
        JsonNode row = rows(r).get(0);
        assertThat(row.get("i").asInt()).isEqualTo(42);
        assertThat(row.get("b").asLong()).isEqualTo(9007199254740993L);
        assertThat(r.outputAsString()).contains("12345678901234567890.0123456789"); // exact, not a double
        assertThat(row.get("f").asDouble()).isEqualTo(2.5);
        assertThat(row.get("ok").isBoolean()).isTrue();
        assertThat(row.get("s").asText()).isEqualTo("héllo");
        assertThat(row.get("dt").asText()).isEqualTo("2024-02-29");
        assertThat(row.get("ts").asText()).isEqualTo("2024-02-29T13:45:01.500");
        assertThat(row.get("nothing").isNull()).isTrue();
        assertThat(row.get("bin").isNull()).isTrue();
        assertThat(r.metadata().get("column_types")).isNotEmpty();
    }

    @Test
    void binaryComesBackAsBase64() throws Exception {
        run("{\"datasource\":\"rw\",\"query\":\"create table t (bin " + binaryType() + ")\"}");
        // bound as text: each database casts it from its own hex or escape form
        run("{\"datasource\":\"rw\",\"query\":\"insert into t values (" + binaryLiteral() + ")\"}");
        JsonNode row = rows(run("{\"datasource\":\"ro\",\"query\":\"select bin from t\"}"))
                .get(0);
        assertThat(row.get("bin").asText()).isEqualTo("AQID"); // 01 02 03
    }

    abstract String binaryLiteral();

    @Test
    void anInjectionThroughAParameterStaysData() throws Exception {
        run("{\"datasource\":\"rw\",\"query\":\"create table t (s varchar(200))\"}");
        String evil = "x'); drop table t; --";
        run("{\"datasource\":\"rw\",\"query\":\"insert into t values (?)\",\"params\":[\"" + evil + "\"]}");
        JsonNode rows = rows(
                run("{\"datasource\":\"ro\",\"query\":\"select s from t where s = ?\",\"params\":[\"" + evil + "\"]}"));
        assertThat(rows.get(0).get("s").asText()).isEqualTo(evil);
    }

    @Test
    void maxRowsCapsALargeResult() throws Exception {
        Result r = run("{\"datasource\":\"ro\",\"query\":\"" + range(200_000) + "\",\"max_rows\":10}");
        assertThat(rows(r).size()).isEqualTo(10);
        assertThat(r.metadata()).containsEntry("truncated", "true").containsEntry("row_count", "10");
        Result capped = run("{\"datasource\":\"ro\",\"query\":\"" + range(200_000) + "\"}");
        assertThat(rows(capped).size()).isEqualTo(1000); // the datasource's max_rows
    }

    @Test
    void aSlowQueryTimesOut() throws Exception {
        long start = System.nanoTime();
        Result r = run("{\"datasource\":\"ro\",\"query\":\"" + slowQuery() + "\",\"timeout_seconds\":1}");
        assertThat(r.status()).as(r.error()).isEqualTo(Status.TIMED_OUT);
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(20);
    }

    @Test
    void theDatasourcesStatementTimeoutIsEnforcedByTheServer() throws Exception {
        long start = System.nanoTime();
        Result r = run("{\"datasource\":\"quick\",\"query\":\"" + slowQuery() + "\"}");
        assertThat(r.status()).as(r.error()).isEqualTo(Status.TIMED_OUT);
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(20);
    }

    @Test
    void aCancelStopsTheStatement() throws Exception {
        StoppingContext context = StoppingContext.withTimeout(Duration.ofMinutes(1));
        CompletableFuture<Result> running = CompletableFuture.supplyAsync(() -> {
            try {
                return run("{\"datasource\":\"ro\",\"query\":\"" + slowQuery() + "\"}", context);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Await.until("the slow statement runs on the database", Duration.ofSeconds(20), () -> running(slowQuery()));
        context.cancel();
        Result r = running.get(20, TimeUnit.SECONDS);
        assertThat(r.status()).as(r.error()).isEqualTo(Status.CANCELLED);
    }

    @Test
    void aReadOnlyDatasourceRefusesWrites() throws Exception {
        run("{\"datasource\":\"rw\",\"query\":\"create table t (i integer)\"}");
        Result r = run("{\"datasource\":\"ro\",\"query\":\"insert into t values (1)\"}");
        assertThat(r.status()).isEqualTo(Status.REJECTED);
        assertThat(r.rejection()).isEqualTo(Rejection.POLICY_DENIED);
        assertThat(r.error()).contains("read-only").contains("read_only");
        assertThat(run("{\"datasource\":\"ro\",\"query\":\"drop table t\"}").status())
                .isEqualTo(Status.REJECTED);
        assertThat(rows(run("{\"datasource\":\"ro\",\"query\":\"select count(*) as c from t\"}"))
                        .get(0)
                        .get("c")
                        .asInt())
                .isZero();
    }

    @Test
    void anSqlErrorFailsWithItsState() throws Exception {
        Result r = run("{\"datasource\":\"ro\",\"query\":\"select * from no_such_table\"}");
        assertThat(r.status()).isEqualTo(Status.FAILED);
        assertThat(r.metadata().get("sqlstate")).startsWith("42"); // syntax error or access rule violation class
        assertThat(r.error()).containsIgnoringCase("no_such_table");
    }

    @Test
    void theStatementsOwnTimeIsInMilliseconds() throws Exception {
        Result r = run("{\"datasource\":\"ro\",\"query\":\"select 1 as one\"}");
        assertThat(r.metadata().get("duration_ms")).matches("\\d+\\.\\d{3}");
    }

    @Test
    void badPayloadsNameTheField() {
        invalid("{}", "datasource", "is required");
        invalid("{\"datasource\":\"ro\"}", "query", "is required");
        invalid("{\"datasource\":\"nope\",\"query\":\"select 1\"}", "datasource", "no datasource named 'nope'");
        invalid("{\"datasource\":\"ro\",\"query\":\"select ?\",\"params\":{\"a\":1}}", "params", "array");
        invalid("{\"datasource\":\"ro\",\"query\":\"select ?\",\"params\":[[1]]}", "params[0]", "string, number");
        invalid("{\"datasource\":\"ro\",\"query\":\"select 1\",\"max_rows\":0}", "max_rows", ">= 1");
        invalid("{\"datasource\":\"ro\",\"query\":\"select 1\",\"timeout_seconds\":-1}", "timeout_seconds", "> 0");
        invalid("{\"datasource\":\"ro\",\"query\":\"select 1\",\"qurey\":1}", "qurey", "unknown field");
        invalid("{\"dsn\":\"jdbc:h2:mem:x\",\"query\":\"select 1\"}", "dsn", "raw DSNs are disabled");
        invalid("{\"datasource\":\"ro\",\"query\":\"select 1\",\"query\":\"drop table t\"}", "query", "appears twice");
        invalid("{\"datasource\":\"ro\",\"query\":\"select 1\"} {}", null, "more after its closing brace");
        invalid("{\"datasource\":\"ro\",\"query\":\"select 1\"", null, "not valid JSON");
        invalid("[1]", null, "must be a JSON object");
        invalid("{\"datasource\":\"ro\",\"query\":\"select 1\",\"max_rows\":1.5}", "max_rows", "whole number");
        invalid("{\"datasource\":\"ro\",\"query\":\"select 1\",\"max_rows\":99999999999}", "max_rows", "whole number");
        invalid("{\"datasource\":5,\"query\":\"select 1\"}", "datasource", "must be a string");
    }

    private void invalid(String payload, String field, String problem) {
        assertThatThrownBy(() -> jdbc.prepare(new Task("t", "t", payload.getBytes(StandardCharsets.UTF_8), null)))
                .as(payload)
                .isInstanceOfSatisfying(
                        InvalidPayloadException.class,
                        e -> assertThat(e.field()).isEqualTo(field))
                .hasMessageContaining(problem);
    }
}
