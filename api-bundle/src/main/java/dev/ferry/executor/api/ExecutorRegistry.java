package dev.ferry.executor.api;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Runs tasks on the executor services registered now. Provided by the Ferry runtime as an OSGi
 * service; callers never hold an {@link Executor} themselves.
 *
 * <p>Every execution is: select the service (highest ranking, then lowest service id), prepare the
 * task (one parse of its payload), take a concurrency permit of the type, run with the effective
 * deadline (the smallest of the given timeout, the registry's maximum and the executor's
 * {@value Executor#MAX_TIMEOUT_SECONDS}), and return a {@link Result} with the status and the metadata
 * {@link Result#DURATION_MICROS} and {@link Result#EXECUTED_BY}. Nothing here throws for a bad
 * task: an unknown type, an invalid payload or a full type is a {@link Status#REJECTED} result
 * whose {@link Result#rejection()} says which.
 *
 * <p>Waiting holds no thread: a submitted task that waits for a permit (the registry's
 * {@code queue_wait_ms}) or for its type to come back during an update ({@code absent_grace_ms})
 * is parked in a queue, not on a thread, and started by whichever task frees the permit or by the
 * arriving service.
 *
 * <pre>
 * TaskHandle handle = registry.submit(Task.of("command", "{\"command\":\"echo\",\"args\":[\"hi\"]}"),
 *         Duration.ofSeconds(10));
 * Result result = handle.result().toCompletableFuture().join();
 * </pre>
 */
@ProviderType
public interface ExecutorRegistry {

    /**
     * @return every registered executor service, by type; the active service of a type first
     */
    List<ExecutorInfo> capabilities();

    /**
     * @return the health of every type's active service, by type (calls each executor)
     */
    Map<String, Health> health();

    /**
     * Validates a payload without running it: the executor prepares the task and the registry drops
     * it. During an update of the type this waits on the calling thread, at most the registry's
     * {@code absent_grace_ms}, for the new service.
     *
     * @param type the task type
     * @param payload the payload
     * @return valid, or the reason
     */
    Validation validate(String type, byte[] payload);

    /**
     * Runs a task on the calling thread and returns its outcome (a task that had to wait for a slot or
     * for its type runs on a registry thread while the caller waits for it). The deadline is signalled to the
     * executor (hooks, interrupt) on time, but an executor that ignores it holds this thread until
     * it returns; use {@link #submit} where the caller must get its answer on time whatever the
     * executor does.
     *
     * @param task the task
     * @param timeout the longest the task may run; {@code null} for the registry's default
     * @return the outcome, never {@code null}
     */
    Result execute(Task task, Duration timeout);

    /**
     * Runs a task on a worker thread. The returned handle's result completes by the deadline
     * even if the executor ignores it.
     *
     * @param task the task
     * @param timeout the longest the task may run; {@code null} for the registry's default
     * @return the handle, to wait for the result or cancel
     */
    TaskHandle submit(Task task, Duration timeout);

    /**
     * Runs a task on a worker thread, its output going to {@code output} as it is produced (see
     * {@link OutputSink} for the order, blocking and end of the calls). The result then carries the
     * status, exit code, error and metadata; its output is what was not written to the sink (none, as
     * the registry writes what an executor returns).
     *
     * @param task the task
     * @param timeout the longest the task may run; {@code null} for the registry's default
     * @param output where the output goes while the task runs
     * @return the handle, to wait for the result or cancel
     */
    TaskHandle submit(Task task, Duration timeout, OutputSink output);
}
