package dev.ferry.worker.internal.registry;

import dev.ferry.executor.api.ExecutionContext;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.TaskHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One execution: its deadline, its cancellation, and (for submitted tasks) the future its caller
 * waits on. The state moves once from RUNNING to DONE, TIMED_OUT or CANCELLED; whoever moves it
 * decides the outcome.
 */
final class Execution implements ExecutionContext, TaskHandle {
    private static final Logger LOG = LoggerFactory.getLogger(Execution.class);

    static final int RUNNING = 0;
    static final int DONE = 1;
    static final int TIMED_OUT = 2;
    static final int CANCELLED = 3;

    final String taskId;
    final long startNanos;
    volatile long deadlineNanos;
    /** Completed for submitted tasks; null for tasks run on the caller's thread. */
    final CompletableFuture<Result> future;

    private final AtomicInteger state = new AtomicInteger(RUNNING);
    private List<Runnable> hooks; // guarded by this
    private Thread thread; // guarded by this: the thread inside Executor.execute, if any
    private boolean finished; // guarded by this
    /** Set by the stopper so the registry can tell the caller what happened. */
    volatile String stopMessage;
    /** When it was stopped, for the watch on threads that do not come back; 0 while running. */
    volatile long stoppedNanos;
    /** The type it runs in, where a thread that does not come back is shown; null for a task never admitted. */
    final TypeSlot slot;
    final String executedBy;

    Execution(String taskId, long startNanos, long deadlineNanos, boolean async, TypeSlot slot, String executedBy) {
        this.slot = slot;
        this.executedBy = executedBy;
        this.taskId = taskId;
        this.startNanos = startNanos;
        this.deadlineNanos = deadlineNanos;
        this.future = async ? new CompletableFuture<>() : null;
    }

    int state() {
        return state.get();
    }

    // -- ExecutionContext

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
        return state.get() > DONE;
    }

    @Override
    public Status stopReason() {
        switch (state.get()) {
            case TIMED_OUT:
                return Status.TIMED_OUT;
            case CANCELLED:
                return Status.CANCELLED;
            default:
                return null;
        }
    }

    @Override
    public Hook onCancel(Runnable hook) {
        synchronized (this) {
            if (state.get() <= DONE) {
                if (hooks == null) {
                    hooks = new ArrayList<>(2);
                }
                hooks.add(hook);
                return () -> {
                    synchronized (this) {
                        hooks.remove(hook);
                    }
                };
            }
        }
        runHook(hook);
        return () -> {};
    }

    // -- TaskHandle

    @Override
    public CompletionStage<Result> result() {
        return future;
    }

    @Override
    public boolean cancel() {
        return stop(CANCELLED, "cancelled by the caller");
    }

    // -- registry side

    /** Marks the thread that runs the executor, so a stop can interrupt it. */
    synchronized void enter(Thread t) {
        thread = t;
    }

    /**
     * Called when the executor returned. Returns true if the execution completed normally, false
     * if it had been stopped (the caller then reports the stop). Clears any interrupt the stop
     * delivered to this thread, so it never leaks into the caller's code.
     */
    boolean finish() {
        boolean normal = state.compareAndSet(RUNNING, DONE);
        synchronized (this) {
            finished = true;
            thread = null;
        }
        if (!normal && slot.stuck.remove(taskId) != null) {
            LOG.warn("Task {}: its thread came back from executor {} {} ms after its stop", taskId, executedBy,
                    (System.nanoTime() - stoppedNanos) / 1_000_000);
        }
        if (!normal) {
            Thread.interrupted();
        }
        return normal;
    }

    /** Stops the execution: runs the hooks, interrupts the executing thread, completes the future. */
    boolean stop(int reason, String message) {
        return stop(reason, message, Runnable::run);
    }

    /**
     * Stops the execution: completes the future at once (the caller's answer never waits for the
     * work to stop), then runs the hooks and interrupts the executing thread on {@code stopper}.
     */
    boolean stop(int reason, String message, java.util.concurrent.Executor stopper) {
        if (!state.compareAndSet(RUNNING, reason)) {
            return false;
        }
        stopMessage = message;
        stoppedNanos = System.nanoTime();
        if (future != null) {
            Status status = reason == TIMED_OUT ? Status.TIMED_OUT : Status.CANCELLED;
            future.complete(Result.builder(status).exitCode(-1).error(message)
                    .metadata(Result.DURATION_MICROS, Long.toString((stoppedNanos - startNanos) / 1000))
                    .build());
        }
        stopper.execute(() -> {
            List<Runnable> toRun;
            synchronized (this) {
                toRun = hooks == null ? List.of() : new ArrayList<>(hooks);
            }
            for (Runnable hook : toRun) {
                runHook(hook);
            }
            synchronized (this) {
                if (!finished && thread != null) {
                    thread.interrupt();
                }
            }
        });
        return true;
    }

    /** Whether it was stopped and its thread is still inside the executor. */
    synchronized Thread stuckThread() {
        return finished ? null : thread;
    }

    private void runHook(Runnable hook) {
        try {
            hook.run();
        } catch (RuntimeException e) {
            LOG.warn("Cancel hook of task {} failed; the task may keep running until it returns", taskId, e);
        }
    }
}
