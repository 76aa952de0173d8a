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
 * <li>When the service goes away (bundle update, uninstall, configuration change) tasks already
 *     running on it finish on it: the registry holds the unregistration for a bounded drain.</li>
 * </ul>
 *
 * <h2>One task, one parse</h2>
 * For every task (and every validation) the registry calls {@link #prepare} once: it parses and checks
 * the payload, without side effects, and returns a {@link Prepared} carrying the parsed form. To run
 * the task the registry calls {@link Prepared#execute} once; to validate it drops the prepared task.
 * A payload it rejects is an {@link InvalidPayloadException} naming the field: the caller gets
 * {@link Status#REJECTED} with {@link Rejection#INVALID_PAYLOAD} and the message. Unknown fields are
 * rejected, so a typo is never silently ignored.
 *
 * <h2>Threading</h2>
 * <ul>
 * <li>{@link #prepare} runs on the caller's thread (a gRPC request thread, the shell, a registry
 *     thread for a task that waited for a slot), concurrently for many tasks: it must be cheap and
 *     thread-safe.</li>
 * <li>{@link Prepared#execute} runs on a registry task thread (or the caller's thread for
 *     {@link ExecutorRegistry#execute}); the registry bounds how many run at once per type.</li>
 * <li>{@link #health} runs on the thread of whoever asks, never on the task path: the shell
 *     ({@code executor:health}, {@code executor:list}), each gRPC {@code Capabilities} call, and the
 *     worker's gRPC health service, which asks every {@code health_refresh_seconds} (5 s by default)
 *     and whenever executors come or go. Keep it quick; it runs concurrently with tasks.</li>
 * </ul>
 *
 * <h2>Outcomes</h2>
 * Expected failures are {@link Result}s built with a factory per status: a non-zero exit is
 * {@link Result#failed}, a program that cannot start is {@link Result#error}. An exception thrown from
 * {@link Prepared#execute} is reported to the caller as {@code ERROR} with the exception's message;
 * the worker keeps serving.
 *
 * <h2>Deadlines and cancellation</h2>
 * {@link Prepared#execute} may block. It must honour {@link ExecutionContext#onCancel(Runnable)}:
 * register a hook that kills the process, aborts the request or cancels the statement. The registry's
 * watchdog runs the hooks when the deadline passes or the caller cancels, and interrupts the executing
 * thread. An executor with a deadline of its own (a payload's {@code timeout_seconds}) brings the
 * context's deadline forward with {@link ExecutionContext#tighten} instead of starting a timer.
 * <b>After a stop the registry owns the status</b>: the caller gets {@code TIMED_OUT} or
 * {@code CANCELLED} whatever the executor returns afterwards, on time, without waiting for it. The
 * executor's own error, if it returns one, reaches a caller that waited for the executor ({@link
 * ExecutorRegistry#execute}) in the result's metadata under {@link Result#EXECUTOR_ERROR}; a caller answered
 * at the stop already ({@code submit}, the worker's gRPC API and shell) does not get it, and the registry logs
 * it with the task id.
 *
 * <h2>A complete executor</h2>
 * <pre>
 * &#64;Component
 * &#64;ExecutorType("hello")
 * public class HelloExecutor implements Executor {
 *     private final ObjectMapper json = new ObjectMapper();
 *
 *     &#64;Override
 *     public Prepared prepare(Task task) throws InvalidPayloadException {
 *         String name = name(task.payload());
 *         return context -&gt; Result.succeeded("hello, " + name + "\n");
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
     * Parses and checks a task's payload, without side effects, once per task.
     *
     * @param task the task; its payload must not be modified
     * @return the task ready to run, carrying what was parsed; never {@code null}
     * @throws InvalidPayloadException naming the field and the problem
     */
    Prepared prepare(Task task) throws InvalidPayloadException;

    /**
     * Reports whether this executor can operate (a program runs, a datasource answers). Called by
     * operators and health probes, never on the task path.
     *
     * @return the health; the default is healthy
     */
    default Health health() {
        return Health.healthy();
    }
}
