package dev.ferry.executor.api;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One unit of work: an id, the type that selects the executor, the payload (JSON for the
 * built-in executors) and free-form metadata. Immutable; the payload array is shared, not copied,
 * so neither the caller nor an executor may modify it.
 *
 * <pre>
 * Task task = Task.of("command", "{\"command\":\"echo\",\"args\":[\"hello\"]}");
 * </pre>
 */
public final class Task {
    /**
     * Metadata key: who sent the task, as the worker established it (a client certificate's subject, "token",
     * "local shell" ...), for the audit trail. The worker's own surfaces set it, replacing any value a caller sent.
     */
    public static final String CALLER = "ferry.caller";
    /** Metadata key: where the task came from (the client's address), set as {@link #CALLER} is. */
    public static final String REMOTE = "ferry.remote";

    private static final AtomicLong IDS = new AtomicLong();

    private final String id;
    private final String type;
    private final byte[] payload;
    private final Map<String, String> metadata;

    /**
     * @param id the caller's id for the task, echoed in results and logs
     * @param type the executor type, e.g. {@code "command"}
     * @param payload the payload bytes (not copied)
     * @param metadata free-form metadata (copied)
     */
    public Task(String id, String type, byte[] payload, Map<String, String> metadata) {
        this.id = Objects.requireNonNull(id, "id");
        this.type = Objects.requireNonNull(type, "type");
        this.payload = Objects.requireNonNull(payload, "payload");
        this.metadata = metadata == null || metadata.isEmpty() ? Map.of() : Map.copyOf(metadata);
    }

    /**
     * A task with a generated id ({@code "task-N"}, unique in this JVM) and no metadata.
     *
     * @param type the executor type
     * @param jsonPayload the payload as a UTF-8 string
     * @return the task
     */
    public static Task of(String type, String jsonPayload) {
        return new Task(nextId(), type, jsonPayload.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** @return a fresh id, unique in this JVM, for callers that have none of their own */
    public static String nextId() {
        return "task-" + IDS.incrementAndGet();
    }

    /** @return the task id */
    public String id() {
        return id;
    }

    /** @return the executor type */
    public String type() {
        return type;
    }

    /** @return the payload bytes; must not be modified */
    public byte[] payload() {
        return payload;
    }

    /** @return the payload decoded as UTF-8 */
    public String payloadAsString() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** @return the metadata, unmodifiable */
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public String toString() {
        return "Task[" + id + ", " + type + ", " + payload.length + " bytes]";
    }
}
