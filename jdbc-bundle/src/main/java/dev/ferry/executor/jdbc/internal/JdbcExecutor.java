package dev.ferry.executor.jdbc.internal;

import dev.ferry.executor.api.ExecutionContext;
import dev.ferry.executor.api.Executor;
import dev.ferry.executor.api.ExecutorType;
import dev.ferry.executor.api.Health;
import dev.ferry.executor.api.InvalidPayloadException;
import dev.ferry.executor.api.Prepared;
import dev.ferry.executor.api.Rejection;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;
import dev.ferry.support.Configs;
import dev.ferry.support.Configured;
import dev.ferry.support.Numbers;
import java.io.IOException;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Types;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code jdbc} executor: one statement on a named datasource, parameters bound (never spliced),
 * rows as JSON. Read-only datasources run queries only.
 */
@Designate(ocd = JdbcConfig.class)
// the defaults are service properties too: the registry reads the limits from the service, and without them
// it applied its own (the container type once ran 64 at once, where its configuration said 16)
@Component(
        configurationPid = JdbcConfig.PID,
        property = {
            Executor.MAX_CONCURRENCY + ":Integer=" + JdbcConfig.DEFAULT_CONCURRENCY,
            Executor.MAX_TIMEOUT_SECONDS + ":Double=" + JdbcConfig.DEFAULT_TIMEOUT_MAX_SECONDS
        })
@ExecutorType("jdbc")
public final class JdbcExecutor implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcExecutor.class);

    private final Map<String, ManagedDataSource> datasources = new ConcurrentHashMap<>();
    private final List<DataSourceFactory> drivers = new CopyOnWriteArrayList<>();
    private final Configured<JdbcSettings> settings;

    @Activate
    public JdbcExecutor(Map<String, Object> properties) {
        // never more permissive than configured: refused, no task runs until the file is fixed
        settings = new Configured<JdbcSettings>(LOG, "the jdbc type", null)
                .start(() -> JdbcSettings.from(Configs.read(JdbcConfig.class, JdbcConfig.PID, properties)));
    }

    JdbcExecutor(JdbcConfig config) {
        this(JdbcSettings.from(config));
    }

    JdbcExecutor(JdbcSettings settings) {
        this.settings = new Configured<>(LOG, "the jdbc type", settings);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        settings.update(() -> JdbcSettings.from(Configs.read(JdbcConfig.class, JdbcConfig.PID, properties)));
    }

    @Reference(
            cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY,
            updated = "updatedDatasource")
    void addDatasource(ManagedDataSource ds) {
        ManagedDataSource previous = datasources.put(ds.name(), ds);
        if (previous != null && previous != ds) {
            LOG.warn(
                    "Two datasources are named '{}'; tasks now use {}. Give each configuration its own name.",
                    ds.name(),
                    dev.ferry.support.Redact.inText(ds.settings.url));
        }
    }

    void removeDatasource(ManagedDataSource ds) {
        datasources.values().removeIf(d -> d == ds);
    }

    /** A datasource reconfigured in place: its name may have changed. */
    void updatedDatasource(ManagedDataSource ds) {
        datasources.entrySet().removeIf(e -> e.getValue() == ds && !e.getKey().equals(ds.name()));
        datasources.putIfAbsent(ds.name(), ds);
    }

    @Reference(
            cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addDriver(DataSourceFactory driver) {
        drivers.add(driver);
    }

    void removeDriver(DataSourceFactory driver) {
        drivers.remove(driver);
    }

    @Override
    public Prepared prepare(Task task) throws InvalidPayloadException {
        JdbcPayload p = JdbcPayload.parse(task.payload());
        SqlText text = check(p);
        return context -> execute(p, text, context);
    }

    /** Checks what can be checked without running; returns the query's text as read, for the run to use. */
    private SqlText check(JdbcPayload p) throws InvalidPayloadException {
        JdbcSettings s = settings.get();
        if (s == null) {
            throw new InvalidPayloadException(null, settings.notServing());
        }
        ManagedDataSource ds = p.datasource == null ? null : datasources.get(p.datasource);
        // read as the database it goes to reads it; a datasource that is not there yet: every reading
        SqlText text =
                SqlText.of(p.query, SqlText.Dialect.of(ds != null ? ds.settings.driver : p.dsn != null ? p.dsn : ""));
        if (text.statements > 1 && (ds == null || !ds.settings.allowMultipleStatements)) {
            throw new InvalidPayloadException(
                    "query",
                    "holds " + text.statements + " statements; a task runs one (a ';'"
                            + " outside quotes and comments starts another): send each as its own task");
        }
        if (text.statements == 0) {
            throw new InvalidPayloadException("query", "holds no statement");
        }
        if (p.datasource != null && ds == null) {
            throw new InvalidPayloadException(
                    "datasource",
                    "no datasource named '" + p.datasource + "'; configured: "
                            + new TreeMap<>(datasources).keySet() + " (add one with a " + DataSourceConfig.FACTORY_PID
                            + " configuration)");
        }
        if (p.dsn != null) {
            if (!s.allowRawDsn) {
                throw new InvalidPayloadException(
                        "dsn",
                        "raw DSNs are disabled; name a configured datasource instead"
                                + " (the operator can set allow_raw_dsn in " + JdbcConfig.PID + ")");
            }
            if (s.rawDsnPrefixes.stream().noneMatch(p.dsn::startsWith)) {
                throw new InvalidPayloadException(
                        "dsn", "does not start with one of raw_dsn_prefixes " + s.rawDsnPrefixes);
            }
        }
        return text;
    }

    @Override
    public Health health() {
        if (settings.get() == null) {
            return Health.unhealthy(settings.refused());
        }
        if (datasources.isEmpty()) {
            return Health.unhealthy(
                    "no datasource is configured; add a " + DataSourceConfig.FACTORY_PID + " configuration");
        }
        StringBuilder detail = new StringBuilder();
        boolean up = true;
        for (Map.Entry<String, ManagedDataSource> e : new TreeMap<>(datasources).entrySet()) {
            Health h = e.getValue().health();
            up &= h.isHealthy();
            detail.append(detail.length() == 0 ? "" : "; ")
                    .append(e.getKey())
                    .append(": ")
                    .append(h.isHealthy() ? "up" : h.message());
        }
        StringBuilder pending = new StringBuilder();
        if (settings.pendingNote() != null) {
            pending.append(settings.pendingNote());
        }
        for (ManagedDataSource ds : new TreeMap<>(datasources).values()) {
            if (ds.pendingNote() != null) {
                pending.append(pending.length() == 0 ? "" : "; ").append(ds.pendingNote());
            }
        }
        if (!up) {
            return Health.unhealthy(detail.toString());
        }
        return pending.length() == 0 ? Health.healthy(detail.toString()) : Health.degraded(pending + "; " + detail);
    }

    private Result execute(JdbcPayload p, SqlText text, ExecutionContext context) {
        if (p.dsn != null) {
            return raw(p, text, context);
        }
        ManagedDataSource ds = datasources.get(p.datasource);
        if (ds == null) {
            return Result.error("datasource '" + p.datasource + "' went away");
        }
        DataSourceSettings s = ds.settings;
        Connection c;
        try {
            c = ds.connection();
        } catch (SQLException e) {
            return Result.error("cannot get a connection from datasource '" + p.datasource + "': "
                    + dev.ferry.support.Redact.inText(e.getMessage()));
        }
        try {
            return run(
                    c,
                    p,
                    text,
                    s.readOnly,
                    s.statementTimeoutSeconds,
                    s.serverTimeout,
                    Math.min(p.maxRows, s.maxRows),
                    s.maxResultBytes,
                    p.datasource,
                    context);
        } catch (SQLException e) {
            return Result.error("datasource '" + p.datasource + "': " + e.getMessage());
        } finally {
            ds.release(c, text); // nothing the task did to its session outlives it
        }
    }

    /** The seed's {"dsn","query"}: an unpooled, read-only connection through a matching driver. */
    private Result raw(JdbcPayload p, SqlText text, ExecutionContext context) {
        for (DataSourceFactory f : drivers) {
            try {
                Driver d = f.createDriver(null);
                if (d.acceptsURL(p.dsn)) {
                    try (Connection c = d.connect(p.dsn, new Properties())) {
                        c.setAutoCommit(false);
                        c.setReadOnly(true);
                        return run(
                                c,
                                p,
                                text,
                                true,
                                30,
                                false,
                                Math.min(p.maxRows, 1000),
                                2 * 1024 * 1024,
                                "dsn",
                                context);
                    }
                }
            } catch (SQLException e) {
                return Result.error("cannot connect to " + p.dsn + ": " + e.getMessage());
            }
        }
        return Result.error("no installed driver accepts " + p.dsn);
    }

    private Result run(
            Connection c,
            JdbcPayload p,
            SqlText text,
            boolean readOnly,
            int timeoutSeconds,
            boolean serverTimeout,
            int maxRows,
            int maxBytes,
            String source,
            ExecutionContext context)
            throws SQLException {
        long start = System.nanoTime();
        if (readOnly) {
            String write = text.writeInQuery();
            if (write != null) {
                return Result.rejected(
                        Rejection.POLICY_DENIED,
                        "datasource '" + source + "' is read-only (read_only=true in"
                                + " its " + DataSourceConfig.FACTORY_PID
                                + " configuration): only queries run, and this one uses "
                                + write + ", which changes data or outlives the task in the session; nothing was run");
            }
        }
        try (PreparedStatement ps = c.prepareStatement(p.query)) {
            bind(ps, p.params);
            // The datasource's own limit is the server's where it can be (set on each connection, see
            // DataSourceSettings.sessionTimeoutSql); a shorter limit asked by the task brings the task's deadline
            // forward, so the registry's watchdog cancels the statement through the hook below (no driver timer).
            double wanted = p.timeoutSeconds > 0 ? Math.min(p.timeoutSeconds, timeoutSeconds) : timeoutSeconds;
            boolean serverEnforces = serverTimeout && wanted >= timeoutSeconds;
            if (!serverEnforces) {
                context.tighten(java.time.Duration.ofNanos((long) (wanted * 1e9)));
            }
            ps.setMaxRows(maxRows == Integer.MAX_VALUE ? 0 : maxRows + 1);
            if (maxRows > FETCH_SIZE) {
                // past this many rows, fetch in pages (PostgreSQL uses a cursor): a huge result never lands in memory
                ps.setFetchSize(FETCH_SIZE);
            }
            Result.Builder result;
            try (ExecutionContext.Hook hook = context.onCancel(() -> cancel(ps))) {
                // read-only: executeQuery, which drivers refuse for anything but a query (H2 before running it),
                // inside a read-only transaction (PostgreSQL refuses writes hidden in a query) that is rolled back
                java.sql.ResultSet results = readOnly ? ps.executeQuery() : ps.execute() ? ps.getResultSet() : null;
                if (results != null) {
                    Rows rows;
                    try (java.sql.ResultSet rs = results) {
                        rows = Rows.read(rs, maxRows, maxBytes, context);
                    }
                    result = Result.builder(Status.SUCCEEDED)
                            .output(rows.json)
                            .metadata("row_count", Integer.toString(rows.count))
                            .metadata("columns", rows.columns)
                            .metadata("column_types", rows.types);
                    if (rows.truncated) {
                        result.metadata("truncated", "true");
                    }
                } else {
                    int count = ps.getUpdateCount();
                    result = Result.builder(Status.SUCCEEDED)
                            .output("{\"update_count\":" + count + "}")
                            .metadata("update_count", Integer.toString(count));
                }
            }
            if (readOnly) {
                c.rollback();
            } else {
                c.commit();
            }
            return result.metadata("duration_ms", Numbers.millis(System.nanoTime() - start))
                    .build();
        } catch (SQLException e) {
            rollbackQuietly(c);
            if (readOnly
                    && ("25006".equals(e.getSQLState())
                            || e.getErrorCode() == 90002
                            || "02000".equals(e.getSQLState()))) {
                // 25006: PostgreSQL's read_only_sql_transaction; 90002: H2's "only allowed for a query";
                // 02000: "no results were returned" (a non-query that a read-only transaction let through)
                return Result.rejected(
                        Rejection.POLICY_DENIED,
                        "datasource '" + source + "' is read-only (read_only=true"
                                + " in its " + DataSourceConfig.FACTORY_PID
                                + " configuration): only queries run; the database said: "
                                + e.getMessage());
            }
            if (context.isCancelled()) {
                // the statement was cancelled through the context's hook: the registry answers the stop, this is its
                // detail
                return Result.error("statement cancelled: " + e.getMessage());
            }
            if (e instanceof SQLTimeoutException
                    || "57014".equals(e.getSQLState())) { // query timeout (57014: PostgreSQL's)
                return Result.builder(Status.TIMED_OUT)
                        .exitCode(-1)
                        .error("the statement timed out: " + e.getMessage())
                        .build();
            }
            return Result.builder(Status.FAILED)
                    .exitCode(e.getErrorCode() == 0 ? 1 : e.getErrorCode())
                    .error(e.getMessage())
                    .metadata("sqlstate", e.getSQLState() == null ? "" : e.getSQLState())
                    .build();
        } catch (IOException e) {
            rollbackQuietly(c);
            return Result.error("writing the rows failed: " + e.getMessage());
        } catch (Rows.Stopped e) {
            // the deadline passed or the task was cancelled while rows were being encoded
            rollbackQuietly(c);
            return Result.error("stopped while reading rows");
        }
    }

    private static final int FETCH_SIZE = 1000;

    /** Binds the payload's values with fitting SQL types; never splices them into the SQL text. */
    static void bind(PreparedStatement ps, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            Object v = params.get(i);
            int at = i + 1;
            if (v == null) {
                ps.setNull(at, Types.NULL);
            } else if (v instanceof Long) {
                ps.setLong(at, (Long) v);
            } else if (v instanceof java.math.BigDecimal) {
                ps.setBigDecimal(at, (java.math.BigDecimal) v);
            } else if (v instanceof Boolean) {
                ps.setBoolean(at, (Boolean) v);
            } else {
                ps.setString(at, (String) v);
            }
        }
    }

    private static void cancel(PreparedStatement ps) {
        try {
            ps.cancel();
        } catch (SQLException e) {
            LOG.debug("Statement cancel failed", e);
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            // the connection is broken; the pool discards it
        }
    }
}
