package dev.ferry.executor.jdbc.internal;

import dev.ferry.support.Redact;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The driver's DataSource as the pool sees it, remembering why the last new connection failed: the pool
 * retries quietly and a task would only hear "request timed out after 5000ms". A failure the database
 * itself answered (wrong password, unknown user or database) is kept until a connection succeeds, so
 * tasks and health name it at once, within the pool's first attempt.
 */
final class WatchedDataSource implements DataSource {
    private final DataSource raw;
    private final String name;
    private volatile String refusal;

    WatchedDataSource(DataSource raw, String name) {
        this.raw = raw;
        this.name = name;
    }

    /** Why the database refused the last new connection, or null (none failed since the last success). */
    String refusal() {
        return refusal;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return watch(() -> raw.getConnection(), null);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return watch(() -> raw.getConnection(username, password), username);
    }

    private interface Open {
        Connection open() throws SQLException;
    }

    private Connection watch(Open open, String user) throws SQLException {
        try {
            Connection c = open.open();
            refusal = null;
            return c;
        } catch (SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            // class 28: invalid authorization (PostgreSQL 28P01/28000, H2 28000); 3D000: no such database
            if (state.startsWith("28") || state.equals("3D000")) {
                refusal =
                        "the database refused the connection" + (user == null ? "" : " for user '" + user + "'") + ": "
                                + Redact.inText(e.getMessage()) + " (SQLState " + state
                                + "); fix user/password/url of datasource '"
                                + name + "'";
            }
            throw e;
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return raw.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        raw.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        raw.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return raw.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return raw.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return iface.isInstance(this) ? iface.cast(this) : raw.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || raw.isWrapperFor(iface);
    }
}
