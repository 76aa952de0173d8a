package dev.ferry.executor.jdbc.internal;

import dev.ferry.executor.api.Executor;
import java.util.List;
import javax.sql.DataSource;

/** The jdbc executor and a pooled datasource, outside OSGi, for benchmarks. */
public final class Jdbcs {
    private Jdbcs() {
    }

    /**
     * A read-only pooled datasource named {@code name} over {@code raw}, configured as the worker
     * configures one for that driver class; close it with {@link #close}.
     */
    public static Object datasource(String name, String driver, DataSource raw, int poolSize) {
        return new ManagedDataSource(new DataSourceSettings(name, driver, "jdbc:bench", "", "", "", poolSize, true, 30,
                1000, 10 * 1024 * 1024, "", "", ""), raw);
    }

    /** The pool behind a datasource made by {@link #datasource}: what plain JDBC uses in the comparison. */
    public static DataSource pool(Object datasource) {
        return ((ManagedDataSource) datasource).pool();
    }

    public static Executor executor(Object datasource) {
        JdbcExecutor executor = new JdbcExecutor(new JdbcSettings(false, List.of()));
        executor.addDatasource((ManagedDataSource) datasource);
        return executor;
    }

    public static void close(Object datasource) {
        ((ManagedDataSource) datasource).deactivate();
    }
}
