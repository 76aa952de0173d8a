package dev.ferry.executor.jdbc.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A datasource's configuration as checked plain values. */
final class DataSourceSettings {
    final String name;
    final String driver;
    final String url;
    final String user;
    private final String password;
    private final String passwordFile;
    final int poolSize;
    final boolean readOnly;
    final int statementTimeoutSeconds;
    final int maxRows;
    final int maxResultBytes;
    final String adminUser;
    final String adminPassword;
    final String initSql;
    /** whether the statement timeout is the server's own session setting (see sessionTimeoutSql) */
    final boolean serverTimeout;

    final boolean allowMultipleStatements;

    DataSourceSettings(
            String name,
            String driver,
            String url,
            String user,
            String password,
            String passwordFile,
            int poolSize,
            boolean readOnly,
            int statementTimeoutSeconds,
            int maxRows,
            int maxResultBytes,
            String adminUser,
            String adminPassword,
            String initSql) {
        this(
                name,
                driver,
                url,
                user,
                password,
                passwordFile,
                poolSize,
                readOnly,
                statementTimeoutSeconds,
                maxRows,
                maxResultBytes,
                adminUser,
                adminPassword,
                initSql,
                false);
    }

    DataSourceSettings(
            String name,
            String driver,
            String url,
            String user,
            String password,
            String passwordFile,
            int poolSize,
            boolean readOnly,
            int statementTimeoutSeconds,
            int maxRows,
            int maxResultBytes,
            String adminUser,
            String adminPassword,
            String initSql,
            boolean allowMultipleStatements) {
        this.allowMultipleStatements = allowMultipleStatements;
        this.name = name;
        this.driver = driver;
        this.url = url;
        this.user = user;
        this.password = password;
        this.passwordFile = passwordFile;
        this.poolSize = poolSize;
        this.readOnly = readOnly;
        this.statementTimeoutSeconds = statementTimeoutSeconds;
        this.maxRows = maxRows;
        this.maxResultBytes = maxResultBytes;
        this.adminUser = adminUser;
        this.adminPassword = adminPassword;
        this.initSql = initSql;
        this.serverTimeout = sessionTimeoutSql() != null;
    }

    static DataSourceSettings from(DataSourceConfig c) {
        String name = c.name() == null ? "" : c.name().trim();
        if (!name.matches("[A-Za-z0-9_.-]+")) {
            throw bad("name", "must be letters, digits, '_', '.' or '-', got '" + c.name() + "'");
        }
        if (c.driver() == null || !c.driver().matches("[A-Za-z0-9_.$]+")) {
            throw bad("driver", "must be a driver class name such as org.postgresql.Driver, got '" + c.driver() + "'");
        }
        if (c.url() == null || !c.url().startsWith("jdbc:")) {
            throw bad(
                    "url",
                    "must be a JDBC URL starting with jdbc:, got '" + dev.ferry.support.Redact.inText(c.url()) + "'");
        }
        if (c.pool__size() < 1) {
            throw bad("pool_size", "must be >= 1, got " + c.pool__size());
        }
        if (c.statement__timeout__seconds() < 1) {
            throw bad("statement_timeout_seconds", "must be >= 1, got " + c.statement__timeout__seconds());
        }
        if (c.max__rows() < 1) {
            throw bad("max_rows", "must be >= 1, got " + c.max__rows());
        }
        if (c.max__result__bytes() < 1) {
            throw bad("max_result_bytes", "must be >= 1, got " + c.max__result__bytes());
        }
        if (!c.password__file().isEmpty() && !Files.isReadable(Path.of(c.password__file()))) {
            throw bad("password_file", "cannot read " + c.password__file());
        }
        if (c.read__only() && c.allow__multiple__statements()) {
            throw bad(
                    "allow_multiple_statements",
                    "is only for writable datasources (read_only = false): a second"
                            + " statement could end the read-only transaction the first runs in");
        }
        return new DataSourceSettings(
                name,
                c.driver(),
                c.url(),
                c.user(),
                c.password(),
                c.password__file(),
                c.pool__size(),
                c.read__only(),
                c.statement__timeout__seconds(),
                c.max__rows(),
                c.max__result__bytes(),
                c.admin__user(),
                c.admin__password(),
                c.init__sql(),
                c.allow__multiple__statements());
    }

    /**
     * SQL that makes the server itself enforce statement_timeout_seconds on every statement of a
     * connection, for the drivers Ferry knows; null for others (then each statement gets a JDBC
     * query timeout, which drivers implement with a client-side timer per statement).
     */
    String sessionTimeoutSql() {
        long millis = statementTimeoutSeconds * 1000L;
        switch (driver) {
            case "org.postgresql.Driver":
                // read-only at the server: every transaction of the session is read-only unless it says otherwise,
                // and a task cannot say otherwise (one statement, a query, in a read-only transaction)
                return "SET statement_timeout = " + millis
                        + (readOnly ? "; SET default_transaction_read_only = on" : "");
            case "org.h2.Driver":
                return "SET QUERY_TIMEOUT " + millis;
            default:
                return null;
        }
    }

    /** The password, read from password_file when one is set (so a rotated secret is picked up by a new pool). */
    String password() throws IOException {
        if (passwordFile.isEmpty()) {
            return password;
        }
        return dev.ferry.support.WholeFile.firstLine(Path.of(passwordFile));
    }

    private static IllegalArgumentException bad(String key, String problem) {
        return new IllegalArgumentException(
                "configuration " + DataSourceConfig.FACTORY_PID + ", " + key + ": " + problem);
    }
}
