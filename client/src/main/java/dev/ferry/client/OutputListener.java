package dev.ferry.client;

/** Takes a streamed task's output as the worker sends it ({@link FerryClient#stream}). Called on one thread. */
public interface OutputListener {
    /** Which output a chunk is. */
    enum Channel {
        /** The task's output: a process's stdout, an HTTP body, a query's rows. */
        OUTPUT,
        /** A process's stderr. */
        STDERR
    }

    /**
     * The task started on a worker.
     *
     * @param taskId its id
     * @param executedBy the executor bundle and version running it
     * @param worker the worker, host:port
     */
    default void started(String taskId, String executedBy, String worker) {}

    /**
     * The next bytes of one channel, in the order produced.
     *
     * @param channel which output
     * @param data the bytes, the listener's to keep
     */
    void output(Channel channel, byte[] data);
}
