package dev.ferry.client;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * What became of a task: every answer a worker gave, and the one case where none came after the task was sent
 * ({@link TaskStatus#OUTCOME_UNKNOWN}).
 *
 * <pre>
 * TaskResult r = client.execute("command", "{\"command\":\"echo\",\"args\":[\"hi\"]}", Duration.ofSeconds(30));
 * switch (r.status()) {
 *     case SUCCEEDED -&gt; System.out.print(r.outputText());
 *     case REJECTED -&gt; System.err.println(r.refusal() + ": " + r.error());
 *     default -&gt; System.err.println(r.status() + " on " + r.worker() + ": " + r.error());
 * }
 * </pre>
 */
public final class TaskResult {
    private final String taskId;
    private final TaskStatus status;
    private final byte[] output;
    private final int exitCode;
    private final String error;
    private final Map<String, String> metadata;
    private final Refusal refusal;
    private final String worker;

    TaskResult(
            String taskId,
            TaskStatus status,
            byte[] output,
            int exitCode,
            String error,
            Map<String, String> metadata,
            Refusal refusal,
            String worker) {
        this.taskId = Objects.requireNonNull(taskId);
        this.status = Objects.requireNonNull(status);
        this.output = output;
        this.exitCode = exitCode;
        this.error = error == null ? "" : error;
        this.metadata = java.util.Collections.unmodifiableMap(metadata); // protobuf's maps are not written after
        this.refusal = refusal;
        this.worker = worker == null ? "" : worker;
    }

    /** @return the task's id: the caller's, or the one the client gave it */
    public String taskId() {
        return taskId;
    }

    /** @return how it ended */
    public TaskStatus status() {
        return status;
    }

    /** @return whether it ran and succeeded */
    public boolean succeeded() {
        return status == TaskStatus.SUCCEEDED;
    }

    /** @return its output (empty for a streamed task: the output went to the listener); not a copy */
    public byte[] output() {
        return output;
    }

    /** @return its output as UTF-8 text */
    public String outputText() {
        return new String(output, StandardCharsets.UTF_8);
    }

    /** @return the exit code (a process's, an HTTP status); -1 when there is none */
    public int exitCode() {
        return exitCode;
    }

    /** @return what went wrong, in the worker's or the client's words; empty when nothing did */
    public String error() {
        return error;
    }

    /** @return what the executor and the worker added: stderr, timings, truncation flags, headers … */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** @return why a worker refused it, for {@link TaskStatus#REJECTED}; else {@code null} */
    public Refusal refusal() {
        return refusal;
    }

    /**
     * @return the worker that answered, or that took the task and went silent ({@code host:port} as the client
     *     reached it); empty when no worker was reached
     */
    public String worker() {
        return worker;
    }

    @Override
    public String toString() {
        return "TaskResult[" + taskId + " " + status + (refusal == null ? "" : " " + refusal) + ", exit " + exitCode
                + ", " + output.length + " bytes" + (worker.isEmpty() ? "" : ", worker " + worker)
                + (error.isEmpty() ? "" : ", error=" + error) + "]";
    }
}
