package dev.ferry.executor.jdbc.internal;

import dev.ferry.executor.api.Executor;
import dev.ferry.support.Configs;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The jdbc executor and a pooled datasource outside a framework, each from its configuration read as
 * the worker reads it (defaults for every key not given): for the benchmarks.
 */
public final class Jdbcs {
    private Jdbcs() {}

    /**
     * A pooled datasource named {@code name} over {@code raw}, configured as the worker configures one
     * with only {@code name}, {@code driver} and {@code pool_size} set; close it with {@link #close}.
     */
    public static Object datasource(String name, String driver, DataSource raw, int poolSize) {
        Map<String, Object> config = new HashMap<>();
        config.put("name", name);
        config.put("driver", driver);
        config.put("url", "jdbc:bench");
        config.put("pool_size", poolSize);
        return new ManagedDataSource(
                DataSourceSettings.from(Configs.read(DataSourceConfig.class, DataSourceConfig.FACTORY_PID, config)),
                raw);
    }

    /** The pool behind a datasource made by {@link #datasource}: what plain JDBC uses in the comparison. */
    public static DataSource pool(Object datasource) {
        return ((ManagedDataSource) datasource).pool();
    }

    /** The executor as its component starts with no configuration file, serving {@code datasource}. */
    public static Executor executor(Object datasource) {
        JdbcExecutor executor = new JdbcExecutor(Map.of());
        executor.addDatasource((ManagedDataSource) datasource);
        return executor;
    }

    public static void close(Object datasource) {
        ((ManagedDataSource) datasource).deactivate();
    }
}
