package dev.ferry.worker.internal.registry;

import dev.ferry.executor.api.Prepared;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A task parked in its type's queue, holding no thread: for a permit (then it holds its prepared task
 * and an entered service) or for the type's services to change (a new one arriving during an update,
 * or one that yields no object leaving). Exactly one of grant, wake and expiry settles it.
 */
final class Waiter implements Deadlines.Watched {
    enum Kind {
        /** Waits for a permit; expires as over capacity. */
        PERMIT,
        /** Waits for a service of the type to arrive; expires as an unknown type. */
        ARRIVAL,
        /** Waits for a service that yields no object to leave; expires as one that cannot be activated. */
        DEPARTURE
    }

    final Kind kind;
    final Execution execution;
    final TypeSlot slot;
    final ServiceEntry entry;
    final Prepared prepared;
    final long expiresAt;
    private final Admission admission;
    private final AtomicBoolean settled = new AtomicBoolean();

    Waiter(Kind kind, Execution execution, ServiceEntry entry, Prepared prepared, long expiresAt, Admission admission) {
        this.kind = kind;
        this.execution = execution;
        this.slot = execution.slot;
        this.entry = entry;
        this.prepared = prepared;
        this.expiresAt = expiresAt;
        this.admission = admission;
    }

    /** Hands a permit over (called by {@link TypeSlot#release}); false if it was settled otherwise. */
    boolean grant() {
        if (!settled.compareAndSet(false, true)) {
            return false;
        }
        admission.granted(this);
        return true;
    }

    /** The services of its type changed: try again. */
    void wake() {
        if (settled.compareAndSet(false, true)) {
            admission.woken(this);
        }
    }

    /** The registry is closing: the task is told so, and gives back what it holds. */
    void shutDown() {
        if (settled.compareAndSet(false, true)) {
            if (kind == Kind.PERMIT) {
                entry.exit();
            }
            execution.decided(new Verdict.Refused(Outcomes.shuttingDown(), entry));
        }
    }

    boolean isSettled() {
        return settled.get();
    }

    /** The watchdog's look: expires it when its time is up or its task was cancelled meanwhile. */
    @Override
    public boolean check(Deadlines deadlines, long now) {
        if (settled.get()) {
            return true;
        }
        if (now - expiresAt < 0 && execution.state() == Execution.RUNNING) {
            return false;
        }
        boolean parked = kind == Kind.PERMIT ? slot.unparkPermit(this) : slot.unparkArrival(this);
        if (parked && settled.compareAndSet(false, true)) {
            admission.expired(this);
        }
        return true;
    }

    @Override
    public String toString() {
        return "task " + execution.task.id() + " waiting (" + kind + ")";
    }
}
