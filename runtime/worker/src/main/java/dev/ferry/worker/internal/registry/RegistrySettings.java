package dev.ferry.worker.internal.registry;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** The registry's configuration as checked plain values. */
record RegistrySettings(
        long defaultTimeoutNanos,
        long maxTimeoutNanos,
        int maxConcurrency,
        Map<String, Integer> typeConcurrency,
        long queueWaitNanos,
        long absentGraceNanos,
        long drainTimeoutNanos) {

    static final RegistrySettings DEFAULTS =
            new RegistrySettings(seconds(300), seconds(3600), 64, Map.of(), 0, millis(10_000), millis(30_000));

    RegistrySettings {
        typeConcurrency = Map.copyOf(typeConcurrency);
    }

    /** Checks a configuration; the exception names the key and the fix, so a bad one never applies. */
    static RegistrySettings from(RegistryConfig c) {
        require(
                c.default__timeout__seconds() > 0,
                "default_timeout_seconds",
                "must be > 0, got " + c.default__timeout__seconds());
        require(c.max__timeout__seconds() > 0, "max_timeout_seconds", "must be > 0, got " + c.max__timeout__seconds());
        require(c.max__concurrency() >= 1, "max_concurrency", "must be >= 1, got " + c.max__concurrency());
        require(c.queue__wait__ms() >= 0, "queue_wait_ms", "must be >= 0, got " + c.queue__wait__ms());
        require(c.absent__grace__ms() >= 0, "absent_grace_ms", "must be >= 0, got " + c.absent__grace__ms());
        require(c.drain__timeout__ms() >= 0, "drain_timeout_ms", "must be >= 0, got " + c.drain__timeout__ms());
        Map<String, Integer> perType = new HashMap<>();
        for (String entry : c.type__concurrency()) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            String problem =
                    "entries are type=N with N >= 1, got '" + entry + "' in " + Arrays.toString(c.type__concurrency());
            require(eq > 0, "type_concurrency", problem);
            int n;
            try {
                n = Integer.parseInt(entry.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("type_concurrency: " + problem, e);
            }
            require(n >= 1, "type_concurrency", problem);
            perType.put(entry.substring(0, eq).trim(), n);
        }
        return new RegistrySettings(
                seconds(c.default__timeout__seconds()),
                seconds(c.max__timeout__seconds()),
                c.max__concurrency(),
                perType,
                millis(c.queue__wait__ms()),
                millis(c.absent__grace__ms()),
                millis(c.drain__timeout__ms()));
    }

    int concurrencyOf(String type) {
        return typeConcurrency.getOrDefault(type, maxConcurrency);
    }

    static long seconds(double s) {
        return (long) Math.min(Long.MAX_VALUE / 4, s * 1e9);
    }

    static long millis(long ms) {
        return ms * 1_000_000L;
    }

    private static void require(boolean ok, String key, String problem) {
        if (!ok) {
            throw new IllegalArgumentException("configuration " + RegistryConfig.PID + ", " + key + ": " + problem);
        }
    }
}
