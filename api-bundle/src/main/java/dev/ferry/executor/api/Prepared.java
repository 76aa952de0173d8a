package dev.ferry.executor.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A task its executor has parsed and checked, ready to run: what {@link Executor#prepare} returns.
 * It carries the parsed payload, so the payload is parsed once per task. The registry runs it at
 * most once, on a registry thread, and drops it unrun when the task is only validated, cancelled
 * before it starts or refused for capacity: preparing must therefore have no side effects.
 *
 * <pre>
 * return context -&gt; Result.succeeded("hello, " + name + "\n");
 * </pre>
 */
@ConsumerType
@FunctionalInterface
public interface Prepared {

    /**
     * Runs the task. May block; must honour the context's deadline and cancellation (see
     * {@link Executor}).
     *
     * <p>Once the context has stopped the task ({@link ExecutionContext#stopReason()} is set), the registry answers
     * {@link Status#TIMED_OUT} or {@link Status#CANCELLED} itself: end quickly and throw the
     * {@link InterruptedException} you got, or return what you have (its output and metadata are kept, its error goes
     * to {@link Result#EXECUTOR_ERROR}); never build a timed-out or cancelled result yourself.
     *
     * @param context the deadline and cancellation of this execution
     * @return the outcome; never {@code null}
     * @throws InterruptedException when the registry stopped the task and interrupted its thread
     * @throws Exception only for the unexpected; reported as {@link Status#ERROR} with the message
     */
    Result execute(ExecutionContext context) throws Exception;
}
