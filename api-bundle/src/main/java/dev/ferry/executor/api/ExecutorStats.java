package dev.ferry.executor.api;

import java.util.EnumMap;
import java.util.Map;

/** Counters and latency of one executor type since the worker started. Immutable snapshot. */
public final class ExecutorStats {
    private final Map<Status, Long> counts;
    private final long p50Micros;
    private final long p99Micros;
    private final long maxMicros;

    /**
     * @param counts tasks ended per status
     * @param p50Micros median execution time in microseconds
     * @param p99Micros 99th percentile execution time in microseconds
     * @param maxMicros longest execution time in microseconds
     */
    public ExecutorStats(Map<Status, Long> counts, long p50Micros, long p99Micros, long maxMicros) {
        EnumMap<Status, Long> copy = new EnumMap<>(Status.class);
        for (Status s : Status.values()) {
            copy.put(s, counts.getOrDefault(s, 0L));
        }
        this.counts = java.util.Collections.unmodifiableMap(copy);
        this.p50Micros = p50Micros;
        this.p99Micros = p99Micros;
        this.maxMicros = maxMicros;
    }

    /** @return tasks ended per status, every status present */
    public Map<Status, Long> counts() {
        return counts;
    }

    /** @param status a status @return tasks ended with it */
    public long count(Status status) {
        return counts.get(status);
    }

    /** @return all tasks ended */
    public long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** @return median execution time in microseconds (0 when nothing ran) */
    public long p50Micros() {
        return p50Micros;
    }

    /** @return 99th percentile execution time in microseconds (0 when nothing ran) */
    public long p99Micros() {
        return p99Micros;
    }

    /** @return longest execution time in microseconds (0 when nothing ran) */
    public long maxMicros() {
        return maxMicros;
    }
}
