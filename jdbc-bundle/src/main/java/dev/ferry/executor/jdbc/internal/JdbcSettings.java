package dev.ferry.executor.jdbc.internal;

import java.util.List;

/** The jdbc executor's configuration as checked plain values. */
final class JdbcSettings {
    final boolean allowRawDsn;
    final List<String> rawDsnPrefixes;
    final int maxConcurrency;

    JdbcSettings(boolean allowRawDsn, List<String> rawDsnPrefixes, int maxConcurrency) {
        this.allowRawDsn = allowRawDsn;
        this.rawDsnPrefixes = List.copyOf(rawDsnPrefixes);
        this.maxConcurrency = maxConcurrency;
    }

    static JdbcSettings from(JdbcConfig c) {
        if (c.max__concurrency() < 1) {
            throw new IllegalArgumentException("configuration " + JdbcConfig.PID + ", max_concurrency: must be >= 1, got "
                    + c.max__concurrency());
        }
        if (c.allow__raw__dsn() && c.raw__dsn__prefixes().length == 0) {
            throw new IllegalArgumentException("configuration " + JdbcConfig.PID + ", raw_dsn_prefixes: allow_raw_dsn needs"
                    + " at least one allowed URL prefix, e.g. jdbc:postgresql://reports.internal/");
        }
        return new JdbcSettings(c.allow__raw__dsn(), List.of(c.raw__dsn__prefixes()), c.max__concurrency());
    }
}
