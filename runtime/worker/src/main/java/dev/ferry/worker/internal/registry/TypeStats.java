package dev.ferry.worker.internal.registry;

import dev.ferry.executor.api.ExecutorStats;
import dev.ferry.executor.api.Status;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** A type's counters since start: one increment per ended task, one histogram record per task that ran. */
final class TypeStats {
    private final LongAdder[] counts = new LongAdder[Status.values().length];
    private final LatencyHistogram latency = new LatencyHistogram();

    TypeStats() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    void record(Status status, long micros) {
        counts[status.ordinal()].increment();
        if (status != Status.REJECTED) {
            latency.record(micros);
        }
    }

    ExecutorStats snapshot() {
        Map<Status, Long> byStatus = new EnumMap<>(Status.class);
        for (Status s : Status.values()) {
            byStatus.put(s, counts[s.ordinal()].sum());
        }
        return new Snapshot(Collections.unmodifiableMap(byStatus), latency.percentile(0.50), latency.percentile(0.99),
                latency.max());
    }

    private record Snapshot(Map<Status, Long> counts, long p50Micros, long p99Micros, long maxMicros)
            implements ExecutorStats {
    }
}
