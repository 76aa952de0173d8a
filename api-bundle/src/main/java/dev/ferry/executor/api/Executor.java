package dev.ferry.executor.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Runs tasks of one type. Implemented by executor bundles and registered as an OSGi service,
 * normally by a Declarative Services component.
 *
 * <h2>The whiteboard contract</h2>
 * <ul>
 * <li>The service must carry the property {@value #TYPE} (a non-empty string, e.g.
 *     {@code "command"}); {@link ExecutorType} sets it on a DS component. Services without it are
 *     ignored, with a warning in the log.</li>
 * <li>The registry reads only service properties until a task arrives, so a delayed component
 *     is not activated until its first task, validation or health check.</li>
 * <li>When several services have the same type, the one with the highest {@code service.ranking}
 *     serves it; ties go to the lowest {@code service.id}. Deploy a new version beside the old one
 *     with a higher ranking to switch over.</li>
 * <li>The optional property {@value #MAX_TIMEOUT_SECONDS} (a positive number of seconds) caps the
 *     deadline of every task the service runs, and {@value #MAX_CONCURRENCY} (a positive whole number)
 *     the tasks it runs at once: the registry enforces both, so an executor need not. A DS component
 *     gets them from its configuration by naming its attributes so.</li>
 * <li>Methods are called concurrently from many threads; the registry bounds how many tasks of a
 *     type run at once.</li>
 * <li>When the service goes away (bundle update, uninstall, configuration change) tasks already
 *     running on it finish on it: the registry holds the unregistration for a bounded drain.</li>
 * </ul>
 *
 * <h2>Outcomes</h2>
 * Expected failures are {@link Result}s: a non-zero exit is {@link Status#FAILED}, a program that
 * cannot start is {@link Status#ERROR}. An exception thrown from {@link #execute} is reported to
 * the caller as {@code ERROR} with the exception's message; the worker keeps serving.
 *
 * <h2>Deadlines and cancellation</h2>
 * {@link #execute} may block. It must honour {@link ExecutionContext#onCancel(Runnable)}: register
 * a hook that kills the process, aborts the request or cancels the statement. The registry runs
 * the hooks when the deadline passes or the caller cancels, interrupts the executing thread, and
 * reports {@code TIMED_OUT} or {@code CANCELLED} whatever the executor returns afterwards.
 *
 * <h2>A complete executor</h2>
 * <pre>
 * &#64;Component
 * &#64;ExecutorType("hello")
 * public class HelloExecutor implements Executor {
 *     private final ObjectMapper json = new ObjectMapper();
 *
 *     &#64;Override
 *     public void validate(byte[] payload) throws InvalidPayloadException {
 *         name(payload);
 *     }
 *
 *     &#64;Override
 *     public Result execute(Task task, ExecutionContext context) throws InvalidPayloadException {
 *         return Result.succeeded("hello, " + name(task.payload()) + "\n");
 *     }
 *
 *     private String name(byte[] payload) throws InvalidPayloadException {
 *         try {
 *             JsonNode node = json.readTree(payload).path("name");
 *             if (!node.isTextual()) {
 *                 throw new InvalidPayloadException("name", "required, a string");
 *             }
 *             return node.asText();
 *         } catch (IOException e) {
 *             throw new InvalidPayloadException(null, "not JSON: " + e.getOriginalMessage());
 *         }
 *     }
 * }
 * </pre>
 */
@ConsumerType
public interface Executor {

    /** The service property naming the task type this executor serves. */
    String TYPE = "executor.type";

    /** Optional service property: the longest deadline, in seconds, this executor accepts. */
    String MAX_TIMEOUT_SECONDS = "executor.timeout.max.seconds";

    /** Optional service property: how many tasks this executor runs at once; the registry rejects more. */
    String MAX_CONCURRENCY = "executor.concurrency.max";

    /**
     * Checks a payload without side effects. Must be cheap: it runs before every execution.
     * Unknown fields are rejected, so a typo is never silently ignored.
     *
     * @param payload the payload bytes
     * @throws InvalidPayloadException naming the field and the problem
     */
    void validate(byte[] payload) throws InvalidPayloadException;

    /**
     * Runs a task whose payload has passed {@link #validate}.
     *
     * @param task the task
     * @param context the deadline and cancellation of this execution
     * @return the outcome; never {@code null}
     * @throws Exception only for the unexpected; reported as {@link Status#ERROR}
     */
    Result execute(Task task, ExecutionContext context) throws Exception;

    /**
     * Reports whether this executor can operate (a program runs, a datasource answers).
     * Called by operators and health probes, not on the task path.
     *
     * @return the health; the default is healthy
     */
    default Health health() {
        return Health.healthy();
    }
}
