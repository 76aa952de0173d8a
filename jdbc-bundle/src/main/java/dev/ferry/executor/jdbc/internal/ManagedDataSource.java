package dev.ferry.executor.jdbc.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ferry.executor.api.Health;
import dev.ferry.support.Configs;
import dev.ferry.support.Redact;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.util.tracker.ServiceTrackerCustomizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configured datasource: waits for its driver's {@link DataSourceFactory}, then keeps a
 * HikariCP pool over it until the configuration or the driver goes away. A changed configuration
 * makes a new instance (and a new pool).
 */
@Designate(ocd = DataSourceConfig.class, factory = true)
@Component(
        configurationPid = DataSourceConfig.FACTORY_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = ManagedDataSource.class)
public final class ManagedDataSource {
    private static final Logger LOG = LoggerFactory.getLogger(ManagedDataSource.class);

    volatile DataSourceSettings settings;
    private final BundleContext context;
    private ServiceTracker<DataSourceFactory, DataSourceFactory> tracker; // guarded by this
    private volatile HikariDataSource pool;
    /** The pool's view of the driver, which remembers why the database refused a connection. */
    private volatile WatchedDataSource watched;
    /** The first connection, tried at once when the pool starts; done once it was answered. */
    private volatile java.util.concurrent.CompletableFuture<Void> probe;

    private volatile String problem = "waiting for the driver";

    /**
     * A refused configuration at start throws, so no datasource of that name exists (tasks naming it
     * are told it is not configured) and the log says which file and key; a refused change while
     * running keeps this instance, its settings and its pool.
     */
    @Activate
    public ManagedDataSource(BundleContext context, Map<String, Object> properties) throws InvalidSyntaxException {
        this.context = context;
        DataSourceSettings s;
        try {
            s = DataSourceSettings.from(Configs.read(DataSourceConfig.class, DataSourceConfig.FACTORY_PID, properties));
        } catch (IllegalArgumentException e) {
            LOG.warn("{}; the datasource is not created until the configuration is fixed", e.getMessage());
            throw e;
        }
        this.settings = s;
        track();
    }

    /** Plain values, no framework: the pool over a given DataSource (tests, benchmarks). */
    ManagedDataSource(DataSourceSettings settings, DataSource raw) {
        this.settings = settings;
        this.context = null;
        start(raw);
    }

    @Modified
    void modified(Map<String, Object> properties) throws InvalidSyntaxException {
        DataSourceSettings next;
        try {
            next = DataSourceSettings.from(
                    Configs.read(DataSourceConfig.class, DataSourceConfig.FACTORY_PID, properties));
        } catch (IllegalArgumentException e) {
            refused = e.getMessage();
            LOG.warn("{}; datasource '{}' keeps its previous configuration", e.getMessage(), settings.name);
            return;
        }
        refused = null;
        synchronized (this) {
            if (tracker != null) {
                tracker.close();
            }
            stop();
            settings = next;
            track();
        }
        LOG.info("Datasource '{}' reconfigured", next.name);
    }

    private synchronized void track() throws InvalidSyntaxException {
        String filter = "(&(objectClass=" + DataSourceFactory.class.getName() + ")("
                + DataSourceFactory.OSGI_JDBC_DRIVER_CLASS + "=" + settings.driver + "))";
        this.problem = "driver " + settings.driver + " is not installed: no DataSourceFactory for it is registered";
        this.tracker = new ServiceTracker<>(context, context.createFilter(filter), new Customizer(context));
        tracker.open();
    }

    @Deactivate
    synchronized void deactivate() {
        if (tracker != null) {
            tracker.close();
        }
        stop();
    }

    String name() {
        return settings.name;
    }

    /** A pooled connection, or an SQLException saying why there is none. */
    /** Why its latest configuration was refused (it keeps the previous one), or null. */
    private volatile String refused;

    /** @return the refusal still pending, for the jdbc type's health, or null */
    String pendingNote() {
        String why = refused;
        return why == null ? null : why + "; datasource '" + settings.name + "' keeps its previous configuration";
    }

    Connection connection() throws SQLException {
        HikariDataSource p = pool;
        if (p == null) {
            throw new SQLException("datasource '" + settings.name + "' is not available: " + problem);
        }
        java.util.concurrent.CompletableFuture<Void> first = probe;
        if (first != null && !first.isDone()) {
            try { // the pool's first connection is being tried: its answer comes before a 5 s wait would
                first.get(2, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // the probe says nothing more than the pool will
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException(
                        "interrupted while datasource '" + settings.name + "' made its first connection");
            }
        }
        String refused = refusal();
        if (refused != null
                && p.getHikariPoolMXBean() != null
                && p.getHikariPoolMXBean().getIdleConnections() == 0) {
            // the database said no to the pool's last attempt, and no connection is left: waiting would only time out
            throw new SQLException(refused);
        }
        try {
            return p.getConnection();
        } catch (SQLException e) {
            refused = refusal();
            throw refused != null ? new SQLException(refused, e) : e;
        }
    }

    /**
     * One connection made at once, beside the pool (which fills itself in the background and would keep a
     * refusal to itself for its 5 s wait): a wrong password is known, and said, before the first task waits.
     */
    private static java.util.concurrent.CompletableFuture<Void> probe(WatchedDataSource watched, DataSourceSettings s) {
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        Thread t = dev.ferry.support.Threads.daemon("ferry-datasource-probe", () -> {
            try (Connection c =
                    s.user.isEmpty() ? watched.getConnection() : watched.getConnection(s.user, s.password())) {
                // reached: nothing to say
            } catch (SQLException | IOException | RuntimeException e) {
                String why = watched.refusal();
                if (why != null) {
                    LOG.warn("Datasource '{}': {}", s.name, why);
                }
            } finally {
                done.complete(null);
            }
        });
        t.start();
        return done;
    }

    /** Why the database refused the pool's last new connection, or null. */
    private String refusal() {
        WatchedDataSource w = watched;
        return w == null ? null : w.refusal();
    }

    /**
     * Takes a task's connection back so that nothing the task did to its session reaches the next task
     * on it. PostgreSQL: a read-only datasource's task was rolled back, which takes back what it could do to
     * the session (settings, {@code set_config}, temporary tables; what a rollback does not take back — session
     * advisory locks, {@code PREPARE}, {@code LOAD}, dblink connections — is refused in its text); a writable
     * one's committed, so its session is reset ({@code DISCARD ALL}) and the datasource's own settings put
     * back, one more round trip. A connection of another database whose task may have changed its session
     * (H2's {@code SET SCHEMA}, {@code SET THROTTLE}, variables, local temporary tables) is closed instead of
     * pooled. Then it is closed.
     */
    void release(Connection c, SqlText text) {
        HikariDataSource p = pool;
        try {
            if (settings.driver.equals("org.postgresql.Driver") && !settings.readOnly) {
                c.rollback();
                c.setAutoCommit(true); // DISCARD ALL cannot run inside a transaction
                try (Statement st = c.createStatement()) {
                    String again = settings.sessionTimeoutSql();
                    st.execute(again == null ? "DISCARD ALL" : "DISCARD ALL; " + again);
                }
                c.setAutoCommit(false);
            } else if (!settings.driver.equals("org.postgresql.Driver") && text.mayChangeSession && p != null) {
                p.evictConnection(c);
            }
        } catch (SQLException e) {
            LOG.debug(
                    "Datasource '{}': resetting a session failed, its connection is closed: {}",
                    settings.name,
                    e.getMessage());
            if (p != null) {
                p.evictConnection(c);
            }
        } finally {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debug("Datasource '{}': closing a connection failed: {}", settings.name, e.getMessage());
            }
        }
    }

    Health health() {
        HikariDataSource p = pool;
        if (p == null) {
            return Health.unhealthy(problem);
        }
        String refused = refusal();
        if (refused != null) {
            return Health.unhealthy(refused);
        }
        try (Connection c = p.getConnection()) {
            return c.isValid(2) ? Health.healthy() : Health.unhealthy("a connection did not answer within 2 s");
        } catch (SQLException e) {
            refused = refusal();
            return Health.unhealthy(refused != null ? refused : "cannot connect: " + Redact.inText(e.getMessage()));
        }
    }

    DataSource pool() {
        return pool;
    }

    private synchronized void start(DataSource raw) {
        DataSourceSettings settings = this.settings;
        try {
            if (!settings.adminUser.isEmpty() && !settings.initSql.isEmpty()) {
                try (Connection admin = raw.getConnection(settings.adminUser, settings.adminPassword);
                        Statement st = admin.createStatement()) {
                    for (String sql : settings.initSql.split(";")) {
                        if (!sql.isBlank()) {
                            st.execute(sql);
                        }
                    }
                }
            }
            HikariConfig c = new HikariConfig();
            c.setPoolName("ferry-" + settings.name);
            WatchedDataSource watched = new WatchedDataSource(raw, settings.name);
            c.setDataSource(watched);
            if (!settings.user.isEmpty()) {
                c.setUsername(settings.user);
                c.setPassword(settings.password());
            }
            c.setMaximumPoolSize(settings.poolSize);
            c.setMinimumIdle(Math.min(1, settings.poolSize));
            c.setAutoCommit(false);
            c.setReadOnly(settings.readOnly);
            c.setConnectionTimeout(5000);
            c.setInitializationFailTimeout(-1); // a database that is down now must not stop the worker
            c.setRegisterMbeans(false);
            if (settings.sessionTimeoutSql() != null) {
                c.setConnectionInitSql(settings.sessionTimeoutSql());
                // committed at once: run inside the first task's transaction, the SETs would be rolled back with it
                c.setIsolateInternalQueries(true);
            }
            pool = new HikariDataSource(c);
            this.watched = watched;
            this.probe = probe(watched, settings);
            problem = null;
            LOG.info("Datasource '{}' ready ({})", settings.name, Redact.inText(settings.url));
        } catch (SQLException | IOException | RuntimeException e) {
            problem = Redact.inText("cannot start the pool: " + e.getMessage());
            LOG.warn(
                    "Datasource '{}' ({}): {}; fix the configuration {}",
                    settings.name,
                    Redact.inText(settings.url),
                    Redact.inText(problem),
                    DataSourceConfig.FACTORY_PID);
        }
    }

    private synchronized void stop() {
        HikariDataSource p = pool;
        pool = null;
        if (p != null) {
            p.close();
        }
    }

    private final class Customizer implements ServiceTrackerCustomizer<DataSourceFactory, DataSourceFactory> {
        private final BundleContext context;

        Customizer(BundleContext context) {
            this.context = context;
        }

        @Override
        public DataSourceFactory addingService(ServiceReference<DataSourceFactory> ref) {
            DataSourceFactory factory = context.getService(ref);
            if (factory == null || pool != null) {
                return factory;
            }
            Properties props = new Properties();
            props.setProperty(DataSourceFactory.JDBC_URL, settings.url);
            try {
                start(factory.createDataSource(props));
            } catch (SQLException e) {
                problem = Redact.inText("the driver refused the URL: " + e.getMessage());
                LOG.warn("Datasource '{}': {}", settings.name, problem);
            }
            return factory;
        }

        @Override
        public void modifiedService(ServiceReference<DataSourceFactory> ref, DataSourceFactory f) {}

        @Override
        public void removedService(ServiceReference<DataSourceFactory> ref, DataSourceFactory f) {
            stop();
            problem = "driver " + settings.driver + " went away";
            context.ungetService(ref);
        }
    }
}
