package dev.ferry.worker.internal.registry;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Everything the registry keeps for one task type: its services, its permits, the tasks parked for a
 * permit or for a service, the operator's drain, and its counters. It holds this state and is the only
 * one that writes it; the {@link Dispatcher} is the only one that asks it to change what decides a task's
 * path (services come and go, permits are taken and handed over, tasks park, the operator drains), so every
 * such change goes through one place. The watchdog and a task's run tell it of stopped tasks whose thread
 * did not come back, which only health reads.
 */
final class TypeSlot {
    private static final ServiceEntry[] NONE = new ServiceEntry[0];

    final String type;
    final TypeStats stats = new TypeStats();
    /** Sorted by {@link ServiceEntry#ORDER}; replaced, never mutated, so reads take no lock. */
    private volatile ServiceEntry[] entries = NONE;
    /** Resized, never replaced, when the limit changes: running tasks keep counting against it. */
    private final Permits permits;

    private volatile int limit;
    /** When the type's last service left; valid while {@link #entries} is empty. */
    private volatile long departedAt;

    private volatile boolean departed;
    /** Services of this type being drained now. */
    private volatile int draining;
    /** Why the operator drained the type (executor:drain): no new task is admitted; null while it serves. */
    private volatile String drainedBy;
    /** Tasks stopped (timed out, cancelled) whose thread has not come back from the executor: id to thread name. */
    private final Map<String, String> stuck = new ConcurrentHashMap<>();
    /** Tasks waiting for a permit, first come first served. Guarded by itself, as is the hand-over of permits. */
    private final ArrayDeque<Dispatcher.Parked> permitQueue = new ArrayDeque<>();
    /** Tasks waiting for the type's services to change (one arriving during an update). Guarded by itself. */
    private final List<Dispatcher.Parked> arrivals = new ArrayList<>();

    TypeSlot(String type, int limit) {
        this.type = type;
        this.limit = limit;
        this.permits = new Permits(limit);
    }

    // -- services

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

    synchronized boolean remove(ServiceEntry e, long now) {
        List<ServiceEntry> next = new ArrayList<>(Arrays.asList(entries));
        boolean removed = next.remove(e);
        if (removed) {
            entries = next.toArray(NONE);
            if (entries.length == 0) {
                departedAt = now;
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

    /** Whether a task that finds no service may wait for one: a service is draining, or the last left within the grace. */
    boolean mayComeBack(long now, long graceNanos) {
        return draining > 0 || (departed && now - departedAt < graceNanos);
    }

    // -- the operator's drain

    Optional<String> drainedBy() {
        return Optional.ofNullable(drainedBy);
    }

    void drain(String why) {
        drainedBy = why;
    }

    /** @return whether it was drained */
    boolean resume() {
        boolean was = drainedBy != null;
        drainedBy = null;
        return was;
    }

    // -- tasks whose thread did not come back

    void stuck(String taskId, String threadName) {
        stuck.put(taskId, threadName);
    }

    /** @return whether the task had been reported stuck */
    boolean unstuck(String taskId) {
        return stuck.remove(taskId) != null;
    }

    Map<String, String> stuck() {
        return Map.copyOf(stuck);
    }

    // -- permits

    int limit() {
        return limit;
    }

    int inFlight() {
        int n = 0;
        for (ServiceEntry e : entries) {
            n += e.inFlight();
        }
        return n;
    }

    /** Takes a permit if one is free now. */
    boolean tryAcquire() {
        return permits.tryAcquire();
    }

    /**
     * Takes a permit, or parks the task to be handed one by {@link #handOver}.
     *
     * @return true when a permit was taken (the task is not parked)
     */
    boolean acquireOrPark(Dispatcher.Parked p) {
        if (permits.tryAcquire()) {
            return true;
        }
        synchronized (permitQueue) {
            // checked again under the lock that handOver() takes: a permit released since is not missed
            if (permits.tryAcquire()) {
                return true;
            }
            permitQueue.add(p);
            return false;
        }
    }

    /**
     * Gives a permit back: the first parked task now holds it (returned, no longer parked), or, when none
     * is parked, the pool of permits does (null).
     */
    Dispatcher.Parked handOver() {
        synchronized (permitQueue) {
            Dispatcher.Parked next = permitQueue.poll();
            if (next == null) {
                permits.release();
            }
            return next;
        }
    }

    /** @return true if the task was still parked for a permit (it is not any more) */
    boolean unparkPermit(Dispatcher.Parked p) {
        synchronized (permitQueue) {
            return permitQueue.remove(p);
        }
    }

    int parkedForPermit() {
        synchronized (permitQueue) {
            return permitQueue.size();
        }
    }

    /**
     * Sets the limit; the permits freed by a raise are not given out here: the caller hands each over.
     *
     * @return how many permits the new limit added (0 when it lowered it)
     */
    synchronized int setLimit(int newLimit) {
        int delta = newLimit - limit;
        limit = newLimit;
        if (delta < 0) {
            permits.reduce(-delta); // may go below zero while more tasks than the new limit still run
        }
        return Math.max(0, delta);
    }

    // -- waiting for services

    void parkForArrival(Dispatcher.Parked p) {
        synchronized (arrivals) {
            arrivals.add(p);
        }
    }

    boolean unparkArrival(Dispatcher.Parked p) {
        synchronized (arrivals) {
            return arrivals.remove(p);
        }
    }

    int parkedForArrival() {
        synchronized (arrivals) {
            return arrivals.size();
        }
    }

    /** @return the tasks waiting for the services to change, no longer parked */
    List<Dispatcher.Parked> takeArrivals() {
        synchronized (arrivals) {
            if (arrivals.isEmpty()) {
                return List.of();
            }
            List<Dispatcher.Parked> out = new ArrayList<>(arrivals);
            arrivals.clear();
            return out;
        }
    }

    /** @return every parked task, no longer parked (the registry is closing) */
    List<Dispatcher.Parked> takeAllParked() {
        List<Dispatcher.Parked> out = new ArrayList<>(takeArrivals());
        synchronized (permitQueue) {
            out.addAll(permitQueue);
            permitQueue.clear();
        }
        return out;
    }

    /** A semaphore whose size can shrink. */
    private static final class Permits extends Semaphore {
        private static final long serialVersionUID = 1L;

        Permits(int permits) {
            super(permits);
        }

        void reduce(int n) {
            reducePermits(n);
        }
    }
}
