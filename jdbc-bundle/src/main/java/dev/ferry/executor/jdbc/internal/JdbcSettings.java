package dev.ferry.executor.jdbc.internal;

import java.util.List;

/** The jdbc executor's configuration as checked plain values. */
final class JdbcSettings {
    final boolean allowRawDsn;
    final List<String> rawDsnPrefixes;

    JdbcSettings(boolean allowRawDsn, List<String> rawDsnPrefixes) {
        this.allowRawDsn = allowRawDsn;
        this.rawDsnPrefixes = List.copyOf(rawDsnPrefixes);
    }

    static JdbcSettings from(JdbcConfig c) {
        if (c.executor_concurrency_max() < 1) {
            throw new IllegalArgumentException("configuration " + JdbcConfig.PID
                    + ", executor.concurrency.max: must be >= 1," + " got " + c.executor_concurrency_max());
        }
        if (c.allow__raw__dsn() && c.raw__dsn__prefixes().length == 0) {
            throw new IllegalArgumentException(
                    "configuration " + JdbcConfig.PID + ", raw_dsn_prefixes: allow_raw_dsn needs"
                            + " at least one allowed URL prefix, e.g. jdbc:postgresql://reports.internal/");
        }
        return new JdbcSettings(c.allow__raw__dsn(), List.of(c.raw__dsn__prefixes()));
    }
}
