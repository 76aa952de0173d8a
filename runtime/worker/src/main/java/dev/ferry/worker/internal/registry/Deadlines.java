package dev.ferry.worker.internal.registry;

import dev.ferry.support.Threads;
import dev.ferry.support.Ticker;
import dev.ferry.support.Watch;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's one watchdog, on the registry's {@link Ticker}: times out tasks whose deadline passed
 * (the caller's, the registry's cap, or one an executor brought forward), expires tasks parked for a
 * permit or a service, and reports threads that do not come back from an executor after a stop. It
 * looks every {@link #TICK_NANOS}, so a deadline is enforced within about that much; a test that moves
 * the ticker by hand calls {@link #sweep} instead of waiting for the tick.
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

    private volatile long stuckNanos = STUCK_NANOS;
    private final Ticker ticker;
    private final Watch<Watched> watch;
    /**
     * Where a stopped task's cancel hooks run: a hook may block (a statement cancel is a round trip to the
     * database, a process kill may wait out its grace period), and the watchdog must be free to time out
     * the next task on time. At most one job per stopped task, so the bound is never the limit in practice;
     * past it (or once closed) the hooks run on the stopping thread.
     */
    private final ThreadPoolExecutor hooks = Threads.elastic("ferry-deadlines-stop", 256, 30);

    private final Executor stopper = Threads.orCaller(hooks);

    Deadlines(Ticker ticker) {
        this.ticker = ticker;
        this.watch = new Watch<>(
                "ferry-deadlines",
                TICK_NANOS,
                TimeUnit.MILLISECONDS.toNanos(50),
                (w, now) -> w.check(this, now),
                ticker);
    }

    /** How long a stopped task's thread may stay in its executor before it is reported (tests shorten it). */
    void stuckAfter(java.time.Duration d) {
        stuckNanos = d.toNanos();
    }

    /** @return whether a task stopped at {@code stoppedNanos} has been stopped too long by {@code now} */
    boolean stuckSince(long stoppedNanos, long now) {
        return now - stoppedNanos >= stuckNanos;
    }

    void watch(Watched w) {
        watch.add(w);
    }

    void unwatch(Watched w) {
        watch.remove(w);
    }

    /** Looks at everything watched now, on this thread (tests that moved the ticker). */
    void sweep() {
        watch.pass(ticker.nanos());
    }

    /** A task's deadline passed: it is answered TIMED_OUT, its hooks run and its thread is interrupted. */
    void timeOut(TaskRun run, String message) {
        run.stop(TaskRun.State.TIMED_OUT, message, stopper);
    }

    /**
     * Stops every task still running on an executor that went away once its drain timeout passed: each is
     * answered CANCELLED with the message, and its cancel hooks (a process kill, a statement cancel) run, so
     * nothing of a removed executor keeps running unseen.
     *
     * @return how many were stopped
     */
    int stopAll(ServiceEntry entry, String message) {
        AtomicInteger stopped = new AtomicInteger();
        watch.forEach(w -> {
            if (w instanceof TaskRun run
                    && run.entry() == entry
                    && run.stop(TaskRun.State.CANCELLED, message, stopper)) {
                stopped.incrementAndGet();
            }
        });
        return stopped.get();
    }

    /**
     * A task was stopped but its thread is still inside the executor, burning what it burns: the caller
     * has its answer, the operator must learn of it (the log with the stack, health).
     */
    void report(TaskRun run, long now) {
        Thread t = run.stuckThread();
        if (t == null) {
            return;
        }
        run.slot.stuck(run.task.id(), t.getName());
        StringBuilder stack = new StringBuilder();
        for (StackTraceElement frame : t.getStackTrace()) {
            stack.append("\n\tat ").append(frame);
        }
        LOG.warn(
                "Task {} was stopped {} ms ago ({}) but its thread {} is still inside executor {}; it holds a slot and"
                        + " whatever it uses until it returns. Its stack:{}",
                run.task.id(),
                (now - run.stoppedNanos()) / 1_000_000,
                run.stopMessage(),
                t.getName(),
                run.executedBy(),
                stack);
    }

    @Override
    public void close() {
        hooks.shutdown();
        watch.close();
    }
}
