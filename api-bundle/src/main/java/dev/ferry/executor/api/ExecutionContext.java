package dev.ferry.executor.api;

import java.time.Duration;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The deadline and cancellation of one execution, given to {@link Prepared#execute}. Provided by
 * the registry; thread-safe. The registry's one watchdog enforces the deadline: when it passes, or
 * the caller cancels, the hooks run (off the executing thread) and the executing thread is
 * interrupted; the caller's answer is then {@link Status#TIMED_OUT} or {@link Status#CANCELLED}
 * whatever the executor returns.
 *
 * <pre>
 * Process process = builder.start();
 * try (ExecutionContext.Hook hook = context.onCancel(process::destroyForcibly)) {
 *     if (!process.waitFor(context.remaining().toNanos(), TimeUnit.NANOSECONDS)) {
 *         process.destroyForcibly();
 *     }
 * }
 * </pre>
 */
@ProviderType
public interface ExecutionContext {

    /** @return the id of the task being executed */
    String taskId();

    /**
     * @return time left until the effective deadline (the smallest of the request's timeout,
     *     the caller's deadline and the executor's maximum); zero or negative once it has passed
     */
    Duration remaining();

    /** @return the deadline on the {@link System#nanoTime()} clock */
    long deadlineNanos();

    /**
     * Brings the deadline forward to {@code within} from now, when that is earlier than the deadline
     * the task has; a later one is ignored (the deadline never moves back). For an executor whose
     * payload carries a timeout of its own: the registry's watchdog then enforces it, with the same
     * hooks, interrupt and {@link Status#TIMED_OUT} result as the caller's deadline.
     *
     * <pre>
     * context.tighten(Duration.ofSeconds(payload.timeoutSeconds()));
     * </pre>
     *
     * @param within time from now until the new deadline; zero or negative times the task out at once
     */
    void tighten(Duration within);

    /** @return {@code true} once the task was cancelled or its deadline passed */
    boolean isCancelled();

    /**
     * @return {@link Status#TIMED_OUT} or {@link Status#CANCELLED} once the execution was stopped,
     *     {@code null} while it may go on
     */
    Status stopReason();

    /**
     * Registers a hook to run when the task is cancelled or times out. Runs at once, on the calling
     * thread, when that has already happened. Each hook runs at most once. Hooks run on a registry
     * thread; they may block briefly (a statement cancel) but must not throw (a thrown exception is
     * logged and ignored).
     *
     * @param hook what to do: kill the process, abort the request, cancel the statement
     * @return a handle that removes the hook when closed (close it when the work is done)
     */
    Hook onCancel(Runnable hook);

    /**
     * Where to write output as it is produced, when the caller takes it live (gRPC {@code ExecuteStream},
     * the shell's {@code executor:run --follow}); empty when the caller takes the output only with the
     * {@link Result}. An executor that streams writes its output there instead of into its result, and is
     * then not bound by its own in-memory caps (the sink has its own); one that does not stream is
     * still fine: the registry passes its result's output on as one write.
     *
     * <pre>
     * Optional&lt;OutputSink&gt; live = context.liveOutput();
     * while ((n = in.read(buf)) &gt;= 0) {
     *     if (live.isPresent()) {
     *         live.get().write(OutputSink.Channel.OUTPUT, buf, 0, n);
     *     } else {
     *         kept.write(buf, 0, n);
     *     }
     * }
     * </pre>
     *
     * @return the live sink, or empty
     */
    Optional<OutputSink> liveOutput();

    /** A registered cancellation hook; closing it removes the hook. */
    @ProviderType
    interface Hook extends AutoCloseable {
        @Override
        void close();
    }
}
