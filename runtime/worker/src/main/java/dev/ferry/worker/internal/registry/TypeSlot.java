package dev.ferry.worker.internal.registry;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Everything the registry keeps for one task type: its services, its permits, the tasks parked for
 * a permit or for a service, and its counters.
 */
final class TypeSlot {
    private static final ServiceEntry[] NONE = new ServiceEntry[0];

    final String type;
    /** Sorted by {@link ServiceEntry#ORDER}; replaced, never mutated, so reads take no lock. */
    private volatile ServiceEntry[] entries = NONE;
    /** Resized, never replaced, when the limit changes: running tasks keep counting against it. */
    private final Permits permits;
    volatile int limit;
    /** System.nanoTime() when the type's last service left; valid while {@link #entries} is empty. */
    volatile long departedAt;
    volatile boolean departed;
    /** Services of this type being drained now. */
    volatile int draining;
    /** Why the operator drained the type (executor:drain): no new task is admitted; null while it serves. */
    volatile String drainedBy;
    final TypeStats stats = new TypeStats();
    /** Tasks stopped (timed out, cancelled) whose thread has not come back from the executor: id to thread name. */
    final Map<String, String> stuck = new ConcurrentHashMap<>();

    /** Tasks waiting for a permit, first come first served. Guarded by itself, as is the hand-over of permits. */
    private final ArrayDeque<Waiter> permitQueue = new ArrayDeque<>();
    /** Tasks waiting for the type's services to change (one arriving during an update). Guarded by itself. */
    private final List<Waiter> arrivals = new ArrayList<>();

    TypeSlot(String type, int limit) {
        this.type = type;
        this.limit = limit;
        this.permits = new Permits(limit);
    }

    ServiceEntry[] entries() {
        return entries;
    }

    /** Enters the first service that is not leaving; null when there is none. */
    ServiceEntry enterFirst() {
        for (ServiceEntry e : entries) {
            if (e.enter()) {
                return e;
            }
        }
        return null;
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

    // -- permits

    /** Takes a permit if one is free now. */
    boolean tryAcquire() {
        return permits.tryAcquire();
    }

    /**
     * Takes a permit, or parks the waiter to be handed one by {@link #release}; no thread waits.
     *
     * @return true when a permit was taken (the waiter is not parked)
     */
    boolean acquireOrPark(Waiter w) {
        if (permits.tryAcquire()) {
            return true;
        }
        synchronized (permitQueue) {
            // checked again under the lock that release() takes: a permit released since is not missed
            if (permits.tryAcquire()) {
                return true;
            }
            permitQueue.add(w);
            return false;
        }
    }

    /** Gives a permit back: to the first parked task that still wants it, else to the pool of permits. */
    void release() {
        for (;;) {
            Waiter next;
            synchronized (permitQueue) {
                next = permitQueue.poll();
                if (next == null) {
                    permits.release();
                    return;
                }
            }
            if (next.grant()) {
                return;
            }
        }
    }

    /** @return true if the waiter was still parked (it is not any more) */
    boolean unparkPermit(Waiter w) {
        synchronized (permitQueue) {
            return permitQueue.remove(w);
        }
    }

    /** @return every parked task, no longer parked (the registry is closing) */
    List<Waiter> takeAllParked() {
        List<Waiter> out = new ArrayList<>(takeArrivals());
        synchronized (permitQueue) {
            out.addAll(permitQueue);
            permitQueue.clear();
        }
        return out;
    }

    int parkedForPermit() {
        synchronized (permitQueue) {
            return permitQueue.size();
        }
    }

    synchronized void setLimit(int newLimit) {
        int delta = newLimit - limit;
        limit = newLimit;
        if (delta < 0) {
            permits.reduce(-delta); // may go below zero while more tasks than the new limit still run
        }
        for (int i = 0; i < delta; i++) {
            release();
        }
    }

    // -- waiting for services

    void parkForArrival(Waiter w) {
        synchronized (arrivals) {
            arrivals.add(w);
        }
    }

    boolean unparkArrival(Waiter w) {
        synchronized (arrivals) {
            return arrivals.remove(w);
        }
    }

    int parkedForArrival() {
        synchronized (arrivals) {
            return arrivals.size();
        }
    }

    /** @return the tasks waiting for the services to change, no longer parked */
    List<Waiter> takeArrivals() {
        synchronized (arrivals) {
            if (arrivals.isEmpty()) {
                return List.of();
            }
            List<Waiter> out = new ArrayList<>(arrivals);
            arrivals.clear();
            return out;
        }
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
}
