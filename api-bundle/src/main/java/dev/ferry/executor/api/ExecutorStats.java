package dev.ferry.executor.api;

import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Counters and latency of one executor type since the worker started: an immutable snapshot made
 * by the registry. A provider type, so it can grow (a minor version) without breaking callers.
 */
@ProviderType
public interface ExecutorStats {

    /** @return tasks ended per status, every status present */
    Map<Status, Long> counts();

    /** @param status a status @return tasks ended with it */
    default long count(Status status) {
        return counts().getOrDefault(status, 0L);
    }

    /** @return all tasks ended */
    default long total() {
        return counts().values().stream().mapToLong(Long::longValue).sum();
    }

    /** @return median execution time in microseconds (0 when nothing ran) */
    long p50Micros();

    /** @return 99th percentile execution time in microseconds (0 when nothing ran) */
    long p99Micros();

    /** @return longest execution time in microseconds (0 when nothing ran) */
    long maxMicros();
}
