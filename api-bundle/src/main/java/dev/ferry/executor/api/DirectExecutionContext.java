package dev.ferry.executor.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An {@link ExecutionContext} for calling an executor directly, without the registry: in an
 * executor's unit tests, or a tool. It has a deadline but does not enforce it; {@link #cancel()}
 * and {@link #timeOut()} run the hooks as the registry would, each hook at most once.
 *
 * <pre>
 * DirectExecutionContext context = DirectExecutionContext.withTimeout(Duration.ofSeconds(5));
 * Result result = executor.prepare(task).execute(context);
 * </pre>
 */
public final class DirectExecutionContext implements ExecutionContext {
    private final String taskId;
    private final Optional<OutputSink> live;
    private volatile long deadlineNanos;
    private final List<Runnable> hooks = new ArrayList<>(); // guarded by this
    private Status stopped; // guarded by this

    private DirectExecutionContext(String taskId, long deadlineNanos, OutputSink live) {
        this.taskId = taskId;
        this.deadlineNanos = deadlineNanos;
        this.live = Optional.ofNullable(live);
    }

    /**
     * @param timeout time until the deadline
     * @return a context whose deadline is that far from now
     */
    public static DirectExecutionContext withTimeout(Duration timeout) {
        return new DirectExecutionContext("direct", System.nanoTime() + timeout.toNanos(), null);
    }

    /**
     * @param timeout time until the deadline
     * @param live where the executor writes its output as it runs ({@link #liveOutput()})
     * @return a context whose deadline is that far from now, streaming to {@code live}
     */
    public static DirectExecutionContext withTimeout(Duration timeout, OutputSink live) {
        return new DirectExecutionContext("direct", System.nanoTime() + timeout.toNanos(), live);
    }

    @Override
    public Optional<OutputSink> liveOutput() {
        return live;
    }

    @Override
    public String taskId() {
        return taskId;
    }

    @Override
    public Duration remaining() {
        return Duration.ofNanos(deadlineNanos - System.nanoTime());
    }

    @Override
    public long deadlineNanos() {
        return deadlineNanos;
    }

    @Override
    public synchronized void tighten(Duration within) {
        long next = System.nanoTime() + within.toNanos();
        if (next - deadlineNanos < 0) {
            deadlineNanos = next;
        }
    }

    @Override
    public synchronized boolean isCancelled() {
        return stopped != null;
    }

    @Override
    public synchronized Status stopReason() {
        return stopped;
    }

    @Override
    public Hook onCancel(Runnable hook) {
        synchronized (this) {
            if (stopped == null) {
                hooks.add(hook);
                return () -> {
                    synchronized (this) {
                        hooks.remove(hook);
                    }
                };
            }
        }
        // already stopped: the stop has taken its copy of the hooks, so this one runs here only
        hook.run();
        return () -> {};
    }

    /** Stops the execution as a caller's cancel would: runs the hooks once. */
    public void cancel() {
        stop(Status.CANCELLED);
    }

    /** Stops the execution as a passed deadline would: runs the hooks once. */
    public void timeOut() {
        stop(Status.TIMED_OUT);
    }

    private void stop(Status reason) {
        List<Runnable> toRun;
        synchronized (this) {
            if (stopped != null) {
                return;
            }
            stopped = reason;
            toRun = new ArrayList<>(hooks);
            hooks.clear();
        }
        toRun.forEach(Runnable::run);
    }
}
