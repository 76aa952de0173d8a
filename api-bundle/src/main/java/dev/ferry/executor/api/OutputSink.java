package dev.ferry.executor.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives a task's output while the task runs. Implemented by whoever runs the task and wants its
 * output live (the worker's gRPC {@code ExecuteStream}, the shell's {@code executor:run --follow}), and
 * handed to {@link ExecutorRegistry#submit(Task, java.time.Duration, OutputSink)}; an executor reaches it
 * through {@link ExecutionContext#liveOutput()}.
 *
 * <h2>The contract</h2>
 * <ul>
 * <li>{@link #started} is called once, when the task starts on a service, before any write. A task
 *     refused before it starts (an unknown type, an invalid payload, over capacity) never starts.</li>
 * <li>{@link #write} is called with the output in the order it was produced on each channel; writes
 *     of different channels (stdout and stderr pumps) may come from different threads at once, and a
 *     sink must take them so. The bytes are the sink's to copy before it returns: the caller reuses
 *     its buffer.</li>
 * <li>{@link #write} may block to slow the producer down (a slow client): a process then blocks on
 *     its pipe instead of the worker buffering without bound. It returns {@code false} once the sink
 *     dropped output (its cap is reached, the task was stopped, the client went away): the producer
 *     may stop reading (an HTTP body), or keep draining its pipe and writing, which the sink then drops
 *     at once (counting it, so the caller learns how much the task produced).</li>
 * <li>A task stopped by its deadline or a cancel interrupts the executing thread: a {@link #write} on
 *     it then throws {@link InterruptedException}. An executor's helper threads (a stderr pump) are not
 *     interrupted, so once the task has its result a sink must not hold writers any more: answer
 *     {@code false} at once, dropping what comes.</li>
 * <li>Output an executor does not write here but returns in its {@link Result} (an executor written
 *     before streaming, a query's rows) is written by the registry as one {@link Channel#OUTPUT}
 *     write when the executor returns, and the result passed on without it.</li>
 * </ul>
 *
 * <pre>
 * OutputSink sink = new OutputSink() {
 *     public boolean write(Channel channel, byte[] data, int offset, int length) {
 *         System.out.write(data, offset, length);
 *         return true;
 *     }
 * };
 * Result result = registry.submit(task, Duration.ofMinutes(5), sink).result().toCompletableFuture().join();
 * </pre>
 */
@ConsumerType
public interface OutputSink {

    /** Which output a chunk belongs to. */
    enum Channel {
        /**
         * The task's output, what {@link Result#output()} holds when it is not streamed: a process's
         * standard output, an HTTP response body, a query's rows.
         */
        OUTPUT,
        /** A process's standard error (the {@code stderr} metadata of a result that is not streamed). */
        STDERR
    }

    /**
     * The task starts: called once, before any {@link #write}.
     *
     * @param taskId the task's id
     * @param executedBy the bundle and version of the executor running it, as in {@link Result#EXECUTED_BY}
     */
    default void started(String taskId, String executedBy) {}

    /**
     * Takes the next bytes of one channel.
     *
     * @param channel which output they are
     * @param data the bytes; read them before returning, the caller reuses the array
     * @param offset where they start in {@code data}
     * @param length how many
     * @return {@code true} while more is wanted; {@code false} once output was dropped (the producer may stop)
     * @throws InterruptedException when the writing thread is interrupted: the task was stopped
     */
    boolean write(Channel channel, byte[] data, int offset, int length) throws InterruptedException;
}
