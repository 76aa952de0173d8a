package dev.ferry.testing;

import dev.ferry.executor.api.DirectExecutionContext;
import dev.ferry.executor.api.ExecutionContext;
import dev.ferry.executor.api.OutputSink;
import dev.ferry.executor.api.Prepared;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.support.Threads;
import dev.ferry.support.Ticker;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * An execution context that stops its task the way the worker's registry does, for an executor's tests
 * outside the worker: when its deadline passes (on its {@link Ticker}: the system's, or a {@link FakeTicker}
 * the test moves) or the test calls {@link #cancel()}, it runs the cancel hooks once, interrupts the executing
 * thread, and {@link #run} answers {@link Status#TIMED_OUT} or {@link Status#CANCELLED} whatever the executor
 * returned — its output and metadata kept, its error under {@link Result#EXECUTOR_ERROR}. The API's
 * {@link DirectExecutionContext} keeps the hooks; this adds the deadline, the interrupt and the answer.
 *
 * <pre>
 * Result r = StoppingContext.withTimeout(Duration.ofSeconds(1)).run(executor.prepare(task));
 * </pre>
 */
public final class StoppingContext implements ExecutionContext {
    private static final long TICK_NANOS = 1_000_000L;

    private final Ticker ticker;
    /** The hooks, the stop reason and the live sink. */
    private final DirectExecutionContext hooks;

    private long deadlineNanos; // guarded by this
    private Thread thread; // guarded by this

    private StoppingContext(Ticker ticker, Duration timeout, OutputSink live) {
        this.ticker = ticker;
        this.deadlineNanos = ticker.nanos() + timeout.toNanos();
        this.hooks = DirectExecutionContext.withTimeout(Duration.ofDays(365), live);
    }

    /** @return a context whose deadline is {@code timeout} from now on the system clock */
    public static StoppingContext withTimeout(Duration timeout) {
        return new StoppingContext(Ticker.SYSTEM, timeout, null);
    }

    /** @return the same, with a live output sink */
    public static StoppingContext withTimeout(Duration timeout, OutputSink live) {
        return new StoppingContext(Ticker.SYSTEM, timeout, live);
    }

    /** @return a context whose deadline is {@code timeout} from now on {@code ticker}, which the test moves */
    public static StoppingContext on(Ticker ticker, Duration timeout) {
        return new StoppingContext(ticker, timeout, null);
    }

    /**
     * Runs the prepared task on this thread while a watchdog thread enforces the deadline.
     *
     * @return what the executor returned, or the stopped answer
     */
    public Result run(Prepared prepared) throws Exception {
        synchronized (this) {
            thread = Thread.currentThread();
        }
        Thread watchdog = Threads.daemon("ferry-test-watchdog", this::watch);
        watchdog.start();
        Result returned = null;
        Exception failure = null;
        try {
            returned = prepared.execute(this);
        } catch (Exception e) {
            failure = e;
        } finally {
            synchronized (this) {
                thread = null;
            }
            watchdog.interrupt();
            Thread.interrupted(); // a stop's interrupt never leaks into the test
        }
        Status why = stopReason();
        if (why == null) {
            if (failure != null) {
                throw failure;
            }
            return returned;
        }
        Result.Builder b =
                Result.builder(why).exitCode(-1).error(why == Status.TIMED_OUT ? "deadline passed" : "cancelled");
        if (returned != null) {
            b.output(returned.output()).metadata(returned.metadata());
            if (!returned.error().isEmpty()) {
                b.metadata(Result.EXECUTOR_ERROR, returned.error());
            }
        } else if (failure != null && !(failure instanceof InterruptedException)) {
            b.metadata(Result.EXECUTOR_ERROR, failure.toString());
        }
        return b.build();
    }

    private void watch() {
        while (!Thread.currentThread().isInterrupted() && !isCancelled()) {
            if (ticker.nanos() - deadlineNanos() >= 0) {
                stop(Status.TIMED_OUT);
                return;
            }
            LockSupport.parkNanos(TICK_NANOS);
        }
    }

    /** Stops the task as a caller's cancel would. */
    public void cancel() {
        stop(Status.CANCELLED);
    }

    private void stop(Status reason) {
        if (reason == Status.TIMED_OUT) {
            hooks.timeOut();
        } else {
            hooks.cancel();
        }
        synchronized (this) {
            if (thread != null) {
                thread.interrupt();
            }
        }
    }

    @Override
    public String taskId() {
        return hooks.taskId();
    }

    @Override
    public synchronized Duration remaining() {
        return Duration.ofNanos(deadlineNanos - ticker.nanos());
    }

    @Override
    public synchronized long deadlineNanos() {
        return deadlineNanos;
    }

    @Override
    public synchronized void tighten(Duration within) {
        long next = ticker.nanos() + within.toNanos();
        if (next - deadlineNanos < 0) {
            deadlineNanos = next;
        }
    }

    @Override
    public boolean isCancelled() {
        return hooks.isCancelled();
    }

    @Override
    public Status stopReason() {
        return hooks.stopReason();
    }

    @Override
    public Optional<OutputSink> liveOutput() {
        return hooks.liveOutput();
    }

    @Override
    public Hook onCancel(Runnable hook) {
        return hooks.onCancel(hook);
    }
}
