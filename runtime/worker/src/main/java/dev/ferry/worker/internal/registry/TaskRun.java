package dev.ferry.worker.internal.registry;

import dev.ferry.executor.api.ExecutionContext;
import dev.ferry.executor.api.OutputSink;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;
import dev.ferry.executor.api.TaskHandle;
import dev.ferry.support.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task from its arrival to its answer: the executor's {@link ExecutionContext}, the caller's
 * {@link TaskHandle}, and what the watchdog looks at. It owns its state, which moves once from
 * {@link State#LIVE} to an end; whoever moves it decides the outcome. Where it waits and which service
 * it runs on are the {@link Dispatcher}'s business, told to it through {@link #admittedTo}.
 */
final class TaskRun implements ExecutionContext, TaskHandle, Deadlines.Watched {
    private static final Logger LOG = LoggerFactory.getLogger(TaskRun.class);

    enum State {
        /** Waiting for admission, or running. */
        LIVE,
        /** The executor returned and the task was answered with what it returned. */
        DONE,
        /** Its deadline passed first: answered TIMED_OUT. */
        TIMED_OUT,
        /** Cancelled by its caller, or stopped with its executor: answered CANCELLED. */
        CANCELLED;

        boolean stopped() {
            return this == TIMED_OUT || this == CANCELLED;
        }
    }

    final Task task;
    final TypeSlot slot;
    final long startNanos;
    /** The time the caller gave the task (or the registry's default). */
    final long timeoutNanos;
    /** Prepared only, for Validate: no permit, never run. */
    final boolean validateOnly;
    /** Where its output goes live; empty when the caller takes it with the result. */
    final Optional<OutputSink> live;
    /** Answered once: at the end, or at once when stopped. */
    final CompletableFuture<Result> future = new CompletableFuture<>();

    private final Ticker ticker;
    private final Outcomes outcomes;
    /** The effective deadline: the registry's cap until admitted, then the executor's too; brought forward by tighten. */
    private volatile long deadlineNanos;
    /** The service it was admitted to; null before (and for a task refused without one). */
    private volatile ServiceEntry entry;

    private final AtomicReference<State> state = new AtomicReference<>(State.LIVE);
    private List<Runnable> hooks; // guarded by this
    private Thread thread; // guarded by this: the thread inside the executor, if any
    private boolean finished; // guarded by this
    /** Why it was stopped, told to the caller; null while live. */
    private volatile String stopMessage;
    /** When it was stopped, for the watch on threads that do not come back. */
    private volatile long stoppedNanos;

    TaskRun(
            Task task,
            TypeSlot slot,
            Outcomes outcomes,
            long startNanos,
            long timeoutNanos,
            long deadlineNanos,
            boolean validateOnly,
            OutputSink live) {
        this.task = task;
        this.slot = slot;
        this.outcomes = outcomes;
        this.ticker = outcomes.ticker();
        this.startNanos = startNanos;
        this.timeoutNanos = timeoutNanos;
        this.deadlineNanos = deadlineNanos;
        this.validateOnly = validateOnly;
        this.live = Optional.ofNullable(live);
    }

    State state() {
        return state.get();
    }

    boolean isLive() {
        return state.get() == State.LIVE;
    }

    /** The service it runs on, and that service's own cap on its deadline. */
    void admittedTo(ServiceEntry e) {
        entry = e;
        long cap = startNanos + Math.min(timeoutNanos, e.maxTimeoutNanos());
        if (cap - deadlineNanos < 0) {
            // no lock: before it runs, nothing else moves the deadline (tighten is the executor's, during execute)
            deadlineNanos = cap;
        }
    }

    ServiceEntry entry() {
        return entry;
    }

    String stopMessage() {
        return stopMessage;
    }

    long stoppedNanos() {
        return stoppedNanos;
    }

    // -- ExecutionContext

    @Override
    public String taskId() {
        return task.id();
    }

    @Override
    public Duration remaining() {
        return Duration.ofNanos(deadlineNanos - ticker.nanos());
    }

    @Override
    public long deadlineNanos() {
        return deadlineNanos;
    }

    @Override
    public void tighten(Duration within) {
        long next = ticker.nanos() + within.toNanos();
        synchronized (this) {
            if (next - deadlineNanos < 0) {
                deadlineNanos = next; // the watchdog reads it at its next tick
            }
        }
    }

    @Override
    public boolean isCancelled() {
        return state.get().stopped();
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
            if (!state.get().stopped()) {
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
        return stop(State.CANCELLED, "cancelled by the caller", Runnable::run);
    }

    // -- the registry's side

    /** Marks the thread that runs the executor, so a stop can interrupt it. */
    synchronized void enter(Thread t) {
        thread = t;
    }

    /**
     * Called when the executor returned. Returns true if the task ended normally, false if it had been
     * stopped (the caller then reports the stop). Clears any interrupt the stop delivered to this thread,
     * so it never leaks into the caller's code.
     */
    boolean finish() {
        boolean normal = state.compareAndSet(State.LIVE, State.DONE);
        synchronized (this) {
            finished = true;
            thread = null;
        }
        if (!normal) {
            if (slot.unstuck(task.id())) {
                LOG.warn(
                        "Task {}: its thread came back from executor {} {} ms after its stop",
                        task.id(),
                        executedBy(),
                        (ticker.nanos() - stoppedNanos) / 1_000_000);
            }
            Thread.interrupted();
        }
        return normal;
    }

    String executedBy() {
        ServiceEntry e = entry;
        return e == null ? "(none chosen)" : e.executedBy;
    }

    /**
     * Stops the task: answers the caller at once (the answer never waits for the work to stop), then runs
     * the hooks, each once, and interrupts the executing thread on {@code stopper}.
     *
     */
    boolean stop(State reason, String message, java.util.concurrent.Executor stopper) {
        if (!state.compareAndSet(State.LIVE, reason)) {
            return false;
        }
        stopMessage = message;
        stoppedNanos = ticker.nanos();
        future.complete(outcomes.stopped(this, null));
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
        State s = state.get();
        if (s == State.DONE) {
            return true;
        }
        if (s != State.LIVE) {
            if (deadlines.stuckSince(stoppedNanos, now)) {
                deadlines.report(this, now);
                return true;
            }
            return false;
        }
        if (now - deadlineNanos >= 0) {
            deadlines.timeOut(
                    this, "deadline of " + dev.ferry.support.Numbers.seconds(deadlineNanos - startNanos) + " passed");
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
