package dev.ferry.worker.internal.registry;

import dev.ferry.executor.api.ExecutionContext;
import dev.ferry.executor.api.OutputSink;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;
import dev.ferry.executor.api.TaskHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task from its arrival to its answer: its deadline, its cancellation, the future its caller
 * waits on, and where its admission verdict goes. The state moves once from RUNNING to DONE,
 * TIMED_OUT or CANCELLED; whoever moves it decides the outcome.
 */
final class Execution implements ExecutionContext, TaskHandle, Deadlines.Watched {
    private static final Logger LOG = LoggerFactory.getLogger(Execution.class);

    static final int RUNNING = 0;
    static final int DONE = 1;
    static final int TIMED_OUT = 2;
    static final int CANCELLED = 3;

    final Task task;
    final TypeSlot slot;
    final long startNanos;
    /** The time the caller gave the task (or the registry's default). */
    final long timeoutNanos;
    /** The effective deadline: the registry's cap until admitted, then the executor's too; brought forward by tighten. */
    volatile long deadlineNanos;
    /** Answered once: at the end, or at once when stopped. */
    final CompletableFuture<Result> future = new CompletableFuture<>();
    /** Where the verdict of a parked admission goes. */
    private final BiConsumer<Execution, Verdict> then;
    /** A validation's verdict when it had to wait for its type; null for tasks that run. */
    final CompletableFuture<Verdict> verdict;
    /** Prepared only, for Validate: no permit, never run. */
    final boolean validateOnly;
    /** Where its output goes live; empty when the caller takes it with the result. */
    final Optional<OutputSink> live;
    /** The service it was admitted to; null before (and for a task refused without one). */
    volatile ServiceEntry entry;
    /** Set once a service that yields no object was seen: the second time it is reported. */
    boolean sawInactive;

    private final AtomicInteger state = new AtomicInteger(RUNNING);
    private List<Runnable> hooks; // guarded by this
    private Thread thread; // guarded by this: the thread inside the executor, if any
    private boolean finished; // guarded by this
    /** Set by the stopper so the registry can tell the caller what happened. */
    volatile String stopMessage;
    /** When it was stopped, for the watch on threads that do not come back; 0 while running. */
    volatile long stoppedNanos;

    Execution(Task task, TypeSlot slot, long startNanos, long timeoutNanos, long deadlineNanos, boolean validateOnly,
            OutputSink live, BiConsumer<Execution, Verdict> then) {
        this.live = Optional.ofNullable(live);
        this.task = task;
        this.slot = slot;
        this.startNanos = startNanos;
        this.timeoutNanos = timeoutNanos;
        this.deadlineNanos = deadlineNanos;
        this.validateOnly = validateOnly;
        this.then = then;
        this.verdict = validateOnly ? new CompletableFuture<>() : null;
    }

    /** The verdict of its parked admission, reached on another thread. */
    void decided(Verdict v) {
        then.accept(this, v);
    }

    int state() {
        return state.get();
    }

    // -- ExecutionContext

    @Override
    public String taskId() {
        return task.id();
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
    public void tighten(Duration within) {
        long next = System.nanoTime() + within.toNanos();
        synchronized (this) {
            if (next - deadlineNanos < 0) {
                deadlineNanos = next; // the watchdog reads it at its next tick
            }
        }
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
    public Optional<OutputSink> liveOutput() {
        return live;
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
                        if (hooks != null) {
                            hooks.remove(hook);
                        }
                    }
                };
            }
        }
        // already stopped: the stop took the hooks registered before, this one runs here only
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
        return stop(CANCELLED, "cancelled by the caller", Runnable::run);
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
        if (!normal && slot.stuck.remove(task.id()) != null) {
            LOG.warn("Task {}: its thread came back from executor {} {} ms after its stop", task.id(), executedBy(),
                    (System.nanoTime() - stoppedNanos) / 1_000_000);
        }
        if (!normal) {
            Thread.interrupted();
        }
        return normal;
    }

    String executedBy() {
        ServiceEntry e = entry;
        return e == null ? "(none chosen)" : e.executedBy;
    }

    /**
     * Stops the execution: answers the caller at once (the answer never waits for the work to stop),
     * then runs the hooks, each once, and interrupts the executing thread on {@code stopper}.
     */
    boolean stop(int reason, String message, java.util.concurrent.Executor stopper) {
        if (!state.compareAndSet(RUNNING, reason)) {
            return false;
        }
        stopMessage = message;
        stoppedNanos = System.nanoTime();
        future.complete(Outcomes.stopped(this, null));
        stopper.execute(() -> {
            List<Runnable> toRun;
            synchronized (this) {
                toRun = hooks == null ? List.of() : hooks;
                hooks = null;
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

    /** The watchdog's look: times it out, or reports its thread when it does not come back after a stop. */
    @Override
    public boolean check(Deadlines deadlines, long now) {
        int s = state.get();
        if (s == DONE) {
            return true;
        }
        if (s != RUNNING) {
            if (now - stoppedNanos >= deadlines.stuckNanos) {
                deadlines.report(this, now);
                return true;
            }
            return false;
        }
        if (now - deadlineNanos >= 0) {
            stop(TIMED_OUT, "deadline of " + dev.ferry.support.Numbers.seconds(deadlineNanos - startNanos) + " passed",
                    deadlines.stopper);
        }
        return false;
    }

    /** Whether it was stopped and its thread is still inside the executor. */
    synchronized Thread stuckThread() {
        return finished ? null : thread;
    }

    private void runHook(Runnable hook) {
        try {
            hook.run();
        } catch (RuntimeException e) {
            LOG.warn("Cancel hook of task {} failed; the task may keep running until it returns", task.id(), e);
        }
    }

    @Override
    public String toString() {
        return "task " + task.id();
    }
}
