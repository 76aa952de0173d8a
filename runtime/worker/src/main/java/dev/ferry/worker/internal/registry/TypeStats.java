package dev.ferry.worker.internal.registry;

import dev.ferry.executor.api.ExecutorStats;
import dev.ferry.executor.api.Rejection;
import dev.ferry.executor.api.Status;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** A type's counters since start: one increment per ended task, one histogram record per task that ran. */
final class TypeStats {
    private final LongAdder[] counts = new LongAdder[Status.values().length];
    private final LongAdder[] rejections = new LongAdder[Rejection.values().length];
    private final LatencyHistogram latency = new LatencyHistogram();
    private final LongAdder latencySumMicros = new LongAdder();
    private final LongAdder arrived = new LongAdder();
    private final LongAdder departed = new LongAdder();
    private final LongAdder drainNanos = new LongAdder();

    TypeStats() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
        for (int i = 0; i < rejections.length; i++) {
            rejections[i] = new LongAdder();
        }
    }

    /** An executor service of the type arrived. */
    void serviceArrived() {
        arrived.increment();
    }

    /** One left, after draining its tasks for {@code drainNanos}. */
    void serviceDeparted(long drainNanos) {
        departed.increment();
        this.drainNanos.add(drainNanos);
    }

    void record(Status status, Rejection rejection, long micros) {
        counts[status.ordinal()].increment();
        if (status != Status.REJECTED) {
            latency.record(micros);
            latencySumMicros.add(micros);
        } else if (rejection != null) {
            rejections[rejection.ordinal()].increment();
        }
    }

    /** The counters as a metrics endpoint shows them; {@code bounds} are histogram bucket bounds in seconds. */
    TaskMetrics metrics(double[] bounds) {
        Map<Status, Long> byStatus = new EnumMap<>(Status.class);
        for (Status s : Status.values()) {
            byStatus.put(s, counts[s.ordinal()].sum());
        }
        Map<Rejection, Long> byReason = new EnumMap<>(Rejection.class);
        for (Rejection r : Rejection.values()) {
            byReason.put(r, rejections[r.ordinal()].sum());
        }
        long[] cumulative = new long[bounds.length];
        for (int i = 0; i < bounds.length; i++) {
            cumulative[i] = latency.countAtMost((long) (bounds[i] * 1e6));
        }
        return new TaskMetrics(
                byStatus,
                byReason,
                cumulative,
                latency.count(),
                latencySumMicros.sum() / 1e6,
                arrived.sum(),
                departed.sum(),
                drainNanos.sum() / 1e9);
    }

    ExecutorStats snapshot() {
        Map<Status, Long> byStatus = new EnumMap<>(Status.class);
        for (Status s : Status.values()) {
            byStatus.put(s, counts[s.ordinal()].sum());
        }
        return new Snapshot(
                Collections.unmodifiableMap(byStatus),
                latency.percentile(0.50),
                latency.percentile(0.99),
                latency.max());
    }

    private record Snapshot(Map<Status, Long> counts, long p50Micros, long p99Micros, long maxMicros)
            implements ExecutorStats {}
}
