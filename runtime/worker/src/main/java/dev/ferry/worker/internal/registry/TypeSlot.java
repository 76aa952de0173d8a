package dev.ferry.worker.internal.registry;

import dev.ferry.executor.api.ExecutorStats;
import dev.ferry.executor.api.Status;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;

/** Everything the registry keeps for one task type: its services, its permits and its counters. */
final class TypeSlot {
    private static final ServiceEntry[] NONE = new ServiceEntry[0];

    final String type;
    /** Sorted by {@link ServiceEntry#ORDER}; replaced, never mutated, so reads take no lock. */
    private volatile ServiceEntry[] entries = NONE;
    /** Resized, never replaced, when the limit changes: running tasks keep counting against it. */
    final Permits permits;
    volatile int limit;
    /** System.nanoTime() when the type's last service left; valid while {@link #entries} is empty. */
    volatile long departedAt;
    volatile boolean departed;
    /** Services of this type being drained now. */
    volatile int draining;

    private final LongAdder[] counts = new LongAdder[Status.values().length];
    private final LatencyHistogram latency = new LatencyHistogram();
    /** Tasks stopped (timed out, cancelled) whose thread has not come back from the executor: id to thread name. */
    final java.util.Map<String, String> stuck = new java.util.concurrent.ConcurrentHashMap<>();

    TypeSlot(String type, int limit) {
        this.type = type;
        this.limit = limit;
        this.permits = new Permits(limit);
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    ServiceEntry[] entries() {
        return entries;
    }

    synchronized void add(ServiceEntry e) {
        ServiceEntry[] next = Arrays.copyOf(entries, entries.length + 1);
        next[next.length - 1] = e;
        Arrays.sort(next, ServiceEntry.ORDER);
        entries = next;
    }

    synchronized boolean remove(ServiceEntry e) {
        List<ServiceEntry> next = new ArrayList<>(Arrays.asList(entries));
        boolean removed = next.remove(e);
        if (removed) {
            entries = next.toArray(NONE);
            if (entries.length == 0) {
                departedAt = System.nanoTime();
                departed = true;
            }
        }
        return removed;
    }

    synchronized void resort() {
        ServiceEntry[] next = entries.clone();
        Arrays.sort(next, ServiceEntry.ORDER);
        entries = next;
    }

    synchronized void drainStarted() {
        draining++;
    }

    synchronized void drainEnded() {
        draining--;
    }

    synchronized void setLimit(int newLimit) {
        int delta = newLimit - limit;
        if (delta > 0) {
            permits.release(delta);
        } else if (delta < 0) {
            permits.reduce(-delta); // may go below zero while more tasks than the new limit still run
        }
        limit = newLimit;
    }

    /** A semaphore whose size can shrink. */
    static final class Permits extends Semaphore {
        private static final long serialVersionUID = 1L;

        Permits(int permits) {
            super(permits);
        }

        void reduce(int n) {
            reducePermits(n);
        }
    }

    void record(Status status, long micros) {
        counts[status.ordinal()].increment();
        if (status != Status.REJECTED) {
            latency.record(micros);
        }
    }

    ExecutorStats stats() {
        Map<Status, Long> byStatus = new EnumMap<>(Status.class);
        for (Status s : Status.values()) {
            byStatus.put(s, counts[s.ordinal()].sum());
        }
        return new ExecutorStats(byStatus, latency.percentile(0.50), latency.percentile(0.99), latency.max());
    }
}
