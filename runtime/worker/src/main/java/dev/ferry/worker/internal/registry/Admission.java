package dev.ferry.worker.internal.registry;

import dev.ferry.executor.api.Executor;
import dev.ferry.executor.api.InvalidPayloadException;
import dev.ferry.executor.api.Prepared;
import dev.ferry.executor.api.Rejection;
import dev.ferry.executor.api.Result;
import dev.ferry.worker.internal.registry.Verdict.Admitted;
import dev.ferry.worker.internal.registry.Verdict.Refused;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a task into its type: selects the serving service, prepares the task (the one parse of its
 * payload) and takes a permit. When it must wait (for a permit, for the type to come back during an
 * update) it parks a {@link Waiter} and returns; the waiter's verdict goes to the task's
 * {@link Execution#decided} later, from the thread that freed the permit, the service event, or the
 * watchdog. No thread waits.
 */
final class Admission {
    private static final Logger LOG = LoggerFactory.getLogger(Admission.class);
    /** How long a service that yields no object may take to show it is leaving (an update). */
    static final long REMOVAL_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final ServiceTable table;
    private final Deadlines watchdog;
    private final java.util.concurrent.Executor retries;

    Admission(ServiceTable table, Deadlines watchdog, java.util.concurrent.Executor retries) {
        this.table = table;
        this.watchdog = watchdog;
        this.retries = retries;
    }

    /**
     * Tries to admit a task now.
     *
     * @return the verdict, or null when the task was parked (its verdict then goes to its {@code then})
     */
    Verdict attempt(Execution x) {
        RegistrySettings s = table.settings();
        TypeSlot slot = x.slot;
        ServiceEntry entry;
        Executor executor;
        for (;;) {
            entry = slot.enterFirst();
            long now = System.nanoTime();
            if (entry == null) {
                boolean mayWait = slot.draining > 0 || (slot.departed && now - slot.departedAt < s.absentGraceNanos());
                long until = x.startNanos + Math.min(x.timeoutNanos, s.absentGraceNanos());
                if (mayWait && until - now > 0) {
                    if (park(new Waiter(Waiter.Kind.ARRIVAL, x, null, null, until, this), () -> slot.entries().length > 0)) {
                        return null;
                    }
                    continue; // one arrived while parking: its wake-up may have missed this waiter
                }
                return new Refused(Result.rejected(Rejection.UNKNOWN_TYPE, table.unknownType(x.task.type())), null);
            }
            executor = entry.service();
            if (executor != null) {
                break;
            }
            entry.exit();
            if (entry.isRemoved()) {
                continue;
            }
            if (x.sawInactive) {
                return new Refused(Result.error(notActivated(entry)), entry);
            }
            // Either its component is being disposed right now (an update: the service is about to
            // leave, then select again) or it failed to activate: wait briefly to see which.
            x.sawInactive = true;
            if (park(new Waiter(Waiter.Kind.DEPARTURE, x, entry, null, now + REMOVAL_WAIT_NANOS, this), entry::isRemoved)) {
                return null;
            }
        }
        return prepared(x, slot, entry, executor, s);
    }

    /**
     * Parks a task until its type's services change (or its time is up), unless {@code changed} shows they
     * already did while it was being parked: a wake-up made before the waiter was in place would miss it.
     *
     * @return true when parked; false when the caller must select again now
     */
    private boolean park(Waiter w, java.util.function.BooleanSupplier changed) {
        w.slot.parkForArrival(w);
        watchdog.watch(w);
        return !(changed.getAsBoolean() && w.slot.unparkArrival(w));
    }

    /** The service is entered: prepare the task, then take a permit or park for one. */
    private Verdict prepared(Execution x, TypeSlot slot, ServiceEntry entry, Executor executor, RegistrySettings s) {
        x.entry = entry;
        Prepared prepared;
        try {
            prepared = executor.prepare(x.task);
            if (prepared == null) {
                entry.exit();
                return new Refused(Result.error("executor " + entry.executedBy
                        + " prepared nothing for the task (a bug in that bundle: prepare must return a Prepared)"), entry);
            }
        } catch (InvalidPayloadException e) {
            entry.exit();
            return new Refused(Result.rejected(Rejection.INVALID_PAYLOAD, e.getMessage()), entry);
        } catch (RuntimeException | LinkageError e) {
            entry.exit();
            LOG.warn("Executor {} failed to prepare task {}", entry, x.task.id(), e);
            return new Refused(Result.rejected(Rejection.INVALID_PAYLOAD, "the executor failed to read the payload: " + e),
                    entry);
        }
        if (x.validateOnly || slot.tryAcquire()) {
            return new Admitted(slot, entry, prepared);
        }
        long wait = s.queueWaitNanos();
        if (wait > 0) {
            long until = Math.min(x.startNanos + wait, x.deadlineNanos);
            Waiter w = new Waiter(Waiter.Kind.PERMIT, x, entry, prepared, until, this);
            if (slot.acquireOrPark(w)) {
                return new Admitted(slot, entry, prepared);
            }
            watchdog.watch(w);
            return null;
        }
        entry.exit();
        return new Refused(overCapacity(slot), entry);
    }

    // -- a parked task's verdict

    /** A permit was handed to the waiter (on the thread that freed it). */
    void granted(Waiter w) {
        Execution x = w.execution;
        if (x.state() != Execution.RUNNING) {
            w.slot.release();
            w.entry.exit();
            x.decided(new Refused(Outcomes.stopped(x, null), w.entry));
            return;
        }
        x.decided(new Admitted(w.slot, w.entry, w.prepared));
    }

    /** The type's services changed: select again, on a task thread (never the framework's event thread). */
    void woken(Waiter w) {
        Execution x = w.execution;
        try {
            retries.execute(() -> {
                if (x.state() != Execution.RUNNING) {
                    x.decided(new Refused(Outcomes.stopped(x, null), null));
                    return;
                }
                Verdict v = attempt(x);
                if (v != null) {
                    x.decided(v);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            x.decided(new Refused(Outcomes.shuttingDown(), null));
        }
    }

    /** Its time is up (or its task was cancelled while it waited). */
    void expired(Waiter w) {
        Execution x = w.execution;
        if (w.kind == Waiter.Kind.PERMIT) {
            w.entry.exit();
        }
        Result r;
        if (x.state() != Execution.RUNNING) {
            r = Outcomes.stopped(x, null);
        } else if (w.kind == Waiter.Kind.PERMIT) {
            r = overCapacity(w.slot);
        } else if (w.kind == Waiter.Kind.DEPARTURE) {
            r = Result.error(notActivated(w.entry));
        } else {
            r = Result.rejected(Rejection.UNKNOWN_TYPE, table.unknownType(x.task.type()));
        }
        x.decided(new Refused(r, w.entry));
    }

    private static Result overCapacity(TypeSlot slot) {
        return Result.rejected(Rejection.OVER_CAPACITY, "type '" + slot.type + "' is over capacity: " + slot.limit
                + " task(s) running, its limit; retry later, or raise max_concurrency / type_concurrency (or queue_wait_ms"
                + " to wait for a slot) in " + RegistryConfig.PID + ", or the executor's own " + Executor.MAX_CONCURRENCY);
    }

    static String notActivated(ServiceEntry e) {
        return "executor " + e + " could not be activated; see the worker log for its error";
    }
}
