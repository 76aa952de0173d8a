package dev.ferry.executor.api;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An {@link ExecutionContext} for calling an executor directly, without the registry: in an
 * executor's unit tests, or a tool. It has a deadline but does not enforce it; {@link #cancel()}
 * and {@link #timeOut()} run the hooks as the registry would.
 *
 * <pre>
 * DirectExecutionContext context = DirectExecutionContext.withTimeout(Duration.ofSeconds(5));
 * Result result = executor.execute(task, context);
 * </pre>
 */
public final class DirectExecutionContext implements ExecutionContext {
    private final String taskId;
    private final long deadlineNanos;
    private final List<Runnable> hooks = new CopyOnWriteArrayList<>();
    private final AtomicReference<Status> stopped = new AtomicReference<>();

    private DirectExecutionContext(String taskId, long deadlineNanos) {
        this.taskId = taskId;
        this.deadlineNanos = deadlineNanos;
    }

    /**
     * @param timeout time until the deadline
     * @return a context whose deadline is that far from now
     */
    public static DirectExecutionContext withTimeout(Duration timeout) {
        return new DirectExecutionContext("direct", System.nanoTime() + timeout.toNanos());
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
    public boolean isCancelled() {
        return stopped.get() != null;
    }

    @Override
    public Status stopReason() {
        return stopped.get();
    }

    @Override
    public Hook onCancel(Runnable hook) {
        hooks.add(hook);
        if (isCancelled()) {
            hook.run();
        }
        return () -> hooks.remove(hook);
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
        if (stopped.compareAndSet(null, reason)) {
            hooks.forEach(Runnable::run);
        }
    }
}
