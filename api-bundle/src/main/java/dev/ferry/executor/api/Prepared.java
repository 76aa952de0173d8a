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
     * @param context the deadline and cancellation of this execution
     * @return the outcome; never {@code null}
     * @throws Exception only for the unexpected; reported as {@link Status#ERROR} with the message
     */
    Result execute(ExecutionContext context) throws Exception;
}
