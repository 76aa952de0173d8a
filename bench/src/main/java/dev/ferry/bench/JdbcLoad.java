package dev.ferry.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.ferry.executor.api.DirectExecutionContext;
import dev.ferry.executor.api.Executor;
import dev.ferry.executor.api.ExecutorRegistry;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;
import dev.ferry.executor.jdbc.internal.Jdbcs;
import dev.ferry.worker.internal.registry.Registries;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import javax.sql.DataSource;

/** A primary-key SELECT as an {@link Interleaved} load: the registry's jdbc executor against plain JDBC on the same pool. */
final class JdbcLoad {
    private static final int KEYS = 1000;
    private static final String QUERY = "select id, v from kv where id = ?";

    private JdbcLoad() {}

    /**
     * @return queries/s of {plain JDBC, registry, plain JDBC writing the row as JSON, the executor
     *     called directly}
     */
    static double[] run(DataSource raw, String driver, int threads, long warmupMillis, long measureMillis)
            throws Exception {
        Object datasource = Jdbcs.datasource("bench", driver, raw, Math.max(4, threads));
        DataSource pool = Jdbcs.pool(datasource);
        try (Connection c = raw.getConnection();
                Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            st.execute("drop table if exists kv");
            st.execute("create table kv (id integer primary key, v varchar(50))");
        }
        try (Connection c = raw.getConnection();
                PreparedStatement ins = c.prepareStatement("insert into kv values (?, ?)")) {
            c.setAutoCommit(false);
            for (int i = 1; i <= KEYS; i++) {
                ins.setInt(1, i);
                ins.setString(2, "value " + i);
                ins.addBatch();
            }
            ins.executeBatch();
            c.commit();
        }
        Executor executor = Jdbcs.executor(datasource);
        ExecutorRegistry registry = Registries.with("jdbc", executor);
        Task[] tasks = new Task[KEYS];
        for (int i = 0; i < KEYS; i++) {
            tasks[i] = Task.of(
                    "jdbc", "{\"datasource\":\"bench\",\"query\":\"" + QUERY + "\",\"params\":[" + (i + 1) + "]}");
        }
        try {
            return Interleaved.run(threads, warmupMillis, measureMillis, new Interleaved.Op[] {
                (thread, call) -> plain(pool, key(thread, call) + 1),
                (thread, call) -> {
                    Result r = registry.execute(tasks[key(thread, call)], null);
                    if (r.status() != Status.SUCCEEDED) {
                        throw new IllegalStateException("task failed: " + r);
                    }
                },
                (thread, call) -> plainJson(pool, key(thread, call) + 1),
                (thread, call) -> {
                    Task t = tasks[key(thread, call)];
                    Result r = executor.prepare(t).execute(DirectExecutionContext.withTimeout(Duration.ofSeconds(30)));
                    if (r.status() != Status.SUCCEEDED) {
                        throw new IllegalStateException("task failed: " + r);
                    }
                }
            });
        } finally {
            Registries.close(registry);
            Jdbcs.close(datasource);
        }
    }

    private static int key(int thread, long call) {
        return (int) ((thread * 97L + call) % KEYS);
    }

    /** What a hand-written DAO does on the same pool: prepare, bind, read the row, end the transaction. */
    private static void plain(DataSource pool, int key) throws Exception {
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement(QUERY)) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("no row " + key);
                }
                rs.getInt(1);
                rs.getString(2);
            }
            c.rollback();
        }
    }

    private static final JsonFactory JSON = new JsonFactory();

    /**
     * What a hand-written worker does at the least to send rows on: plain JDBC, and the row written
     * as a JSON object by its column labels with Jackson's generator.
     */
    private static byte[] plainJson(DataSource pool, int key) throws Exception {
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement(QUERY)) {
            ps.setLong(1, key);
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            try (ResultSet rs = ps.executeQuery();
                    JsonGenerator g = JSON.createGenerator(out)) {
                ResultSetMetaData md = rs.getMetaData();
                g.writeStartArray();
                while (rs.next()) {
                    g.writeStartObject();
                    g.writeNumberField(md.getColumnLabel(1), rs.getInt(1));
                    g.writeStringField(md.getColumnLabel(2), rs.getString(2));
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            c.rollback();
            return out.toByteArray();
        }
    }

    static String describe(String db, int threads, double[] r) {
        return String.format(
                Locale.ROOT,
                "%s, %d thread(s): plain JDBC %.0f/s, registry %.0f/s (%.2fx); plain JDBC + JSON"
                        + " %.0f/s (registry %.2fx of it); executor called directly %.0f/s (%.2fx of plain)",
                db,
                threads,
                r[0],
                r[1],
                r[1] / r[0],
                r[2],
                r[1] / r[2],
                r[3],
                r[3] / r[0]);
    }
}
