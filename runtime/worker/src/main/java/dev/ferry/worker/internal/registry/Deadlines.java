package dev.ferry.worker.internal.registry;

import dev.ferry.support.Threads;
import dev.ferry.support.Watch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's one watchdog: times out executions whose deadline passed (the caller's, the
 * registry's cap, or one an executor brought forward), expires tasks parked for a permit or a
 * service, and reports threads that do not come back from an executor after a stop. It looks every
 * {@link #TICK_NANOS}, so a deadline is enforced within about that much.
 */
final class Deadlines implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Deadlines.class);
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** How long a stopped task's thread may take to come back before it is reported as stuck. */
    static final long STUCK_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** What the watchdog looks at. */
    interface Watched {
        /** @return true when it needs no more watching */
        boolean check(Deadlines deadlines, long now);
    }

    volatile long stuckNanos = STUCK_NANOS;
    private final Watch<Watched> watch;
    /**
     * Where a timed-out task's cancel hooks run: a hook may block (a statement cancel is a round trip to
     * the database, a process kill may wait out its grace period), and the watchdog must be free to time
     * out the next task on time.
     */
    private final ThreadPoolExecutor hooks;
    final java.util.concurrent.Executor stopper;

    Deadlines(String name) {
        hooks = Threads.daemonPool(name + "-stop", 30);
        stopper = Threads.orCaller(hooks);
        watch = new Watch<>(name, TICK_NANOS, TimeUnit.MILLISECONDS.toNanos(50), (w, now) -> w.check(this, now));
    }

    void watch(Watched w) {
        watch.add(w);
    }

    void unwatch(Watched w) {
        watch.remove(w);
    }

    /**
     * Stops every task still running on an executor that went away once its drain timeout passed: each is
     * answered CANCELLED with the message, and its cancel hooks (a process kill, a statement cancel) run, so
     * nothing of a removed executor keeps running unseen.
     *
     * @return how many were stopped
     */
    int stopAll(ServiceEntry entry, String message) {
        java.util.concurrent.atomic.AtomicInteger stopped = new java.util.concurrent.atomic.AtomicInteger();
        watch.forEach(w -> {
            if (w instanceof Execution x && x.entry == entry && x.stop(Execution.CANCELLED, message, stopper)) {
                stopped.incrementAndGet();
            }
        });
        return stopped.get();
    }

    /**
     * A task was stopped but its thread is still inside the executor, burning what it burns: the
     * caller has its answer, the operator must learn of it (the log with the stack, health).
     */
    void report(Execution e, long now) {
        Thread t = e.stuckThread();
        if (t == null) {
            return;
        }
        e.slot.stuck.put(e.task.id(), t.getName());
        StringBuilder stack = new StringBuilder();
        for (StackTraceElement frame : t.getStackTrace()) {
            stack.append("\n\tat ").append(frame);
        }
        LOG.warn("Task {} was stopped {} ms ago ({}) but its thread {} is still inside executor {}; it holds a slot and"
                + " whatever it uses until it returns. Its stack:{}", e.task.id(), (now - e.stoppedNanos) / 1_000_000,
                e.stopMessage, t.getName(), e.executedBy(), stack);
    }

    @Override
    public void close() {
        hooks.shutdown();
        watch.close();
    }
}
