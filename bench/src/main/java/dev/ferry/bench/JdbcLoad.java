package dev.ferry.bench;

import dev.ferry.executor.api.ExecutorRegistry;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;
import dev.ferry.executor.jdbc.internal.Jdbcs;
import dev.ferry.worker.internal.registry.Registries;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLongArray;
import javax.sql.DataSource;

/**
 * A primary-key SELECT through the registry's jdbc executor against plain JDBC on the same pool.
 * Like {@link HttpLoad}, each client thread alternates blocks of both, so they share the machine's
 * moments.
 */
final class JdbcLoad {
    private static final int BLOCK = 100;
    private static final int KEYS = 1000;
    private static final String QUERY = "select id, v from kv where id = ?";

    private JdbcLoad() {
    }

    /** @return {plain queries/s, registry queries/s} */
    static double[] run(DataSource raw, String driver, int threads, long warmupMillis, long measureMillis) throws Exception {
        Object datasource = Jdbcs.datasource("bench", driver, raw, Math.max(4, threads));
        DataSource pool = Jdbcs.pool(datasource);
        try (Connection c = raw.getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            st.execute("drop table if exists kv");
            st.execute("create table kv (id integer primary key, v varchar(50))");
        }
        try (Connection c = raw.getConnection(); PreparedStatement ins = c.prepareStatement("insert into kv values (?, ?)")) {
            c.setAutoCommit(false);
            for (int i = 1; i <= KEYS; i++) {
                ins.setInt(1, i);
                ins.setString(2, "value " + i);
                ins.addBatch();
            }
            ins.executeBatch();
            c.commit();
        }
        ExecutorRegistry registry = Registries.with("jdbc", Jdbcs.executor(datasource));
        Task[] tasks = new Task[KEYS];
        for (int i = 0; i < KEYS; i++) {
            tasks[i] = Task.of("jdbc", "{\"datasource\":\"bench\",\"query\":\"" + QUERY + "\",\"params\":[" + (i + 1) + "]}");
        }
        AtomicLongArray totals = new AtomicLongArray(4);
        long measureFrom = System.nanoTime() + warmupMillis * 1_000_000L;
        long end = measureFrom + measureMillis * 1_000_000L;
        ExecutorService clients = Executors.newFixedThreadPool(threads);
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int offset = t;
            running.add(clients.submit(() -> {
                int key = offset * 97;
                for (long block = offset; System.nanoTime() < end; block++) {
                    boolean viaRegistry = block % 2 == 1;
                    long t0 = System.nanoTime();
                    for (int i = 0; i < BLOCK; i++) {
                        key = (key + 1) % KEYS;
                        if (viaRegistry) {
                            Result r = registry.execute(tasks[key], null);
                            if (r.status() != Status.SUCCEEDED) {
                                throw new IllegalStateException("task failed: " + r);
                            }
                        } else {
                            plain(pool, key + 1);
                        }
                    }
                    long t1 = System.nanoTime();
                    if (t0 >= measureFrom && t1 <= end) {
                        int slot = viaRegistry ? 2 : 0;
                        totals.addAndGet(slot, t1 - t0);
                        totals.addAndGet(slot + 1, BLOCK);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
        clients.shutdown();
        Registries.close(registry);
        Jdbcs.close(datasource);
        return new double[] {totals.get(1) / (totals.get(0) / 1e9 / threads), totals.get(3) / (totals.get(2) / 1e9 / threads)};
    }

    /** What a hand-written DAO does on the same pool: prepare, bind, read the row, end the transaction. */
    private static void plain(DataSource pool, int key) throws Exception {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(QUERY)) {
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

    static String describe(String db, int threads, double[] r) {
        return String.format(Locale.ROOT, "%s, %d thread(s): plain JDBC %.0f/s, registry %.0f/s (%.2fx)", db, threads, r[0],
                r[1], r[1] / r[0]);
    }
}
