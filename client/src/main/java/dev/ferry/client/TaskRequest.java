package dev.ferry.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * One task to send: its type, payload, timeout, and the id a retry of it must carry (a worker that ran or runs an id
 * never runs it again). Made with {@link #of}, then {@code with…}.
 *
 * <pre>
 * TaskRequest task = TaskRequest.of("command", "{\"command\":\"sleep\",\"args\":[\"1\"]}")
 *         .withTimeout(Duration.ofSeconds(5))
 *         .withId("nightly-42");
 * </pre>
 *
 * @param id the task id; {@link #of} gives one no other client gives
 * @param type the executor type
 * @param payload the payload bytes (JSON for the built-in executors)
 * @param metadata extra metadata for the task
 * @param timeout the longest it may run; {@code null} for the worker's default
 */
public record TaskRequest(String id, String type, byte[] payload, Map<String, String> metadata, Duration timeout) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Checks the parts. */
    public TaskRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(payload, "payload");
        metadata = Map.copyOf(metadata);
        if (id.isBlank()) {
            throw new IllegalArgumentException("a task id must not be blank");
        }
        if (type.isBlank()) {
            throw new IllegalArgumentException("the task type is empty; name an executor type, e.g. \"command\"");
        }
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("the timeout must be positive, got " + timeout);
        }
    }

    /** A task with a JSON payload, a fresh id and the worker's default timeout. */
    public static TaskRequest of(String type, String json) {
        return of(type, json.getBytes(StandardCharsets.UTF_8));
    }

    /** A task with a payload of bytes. */
    public static TaskRequest of(String type, byte[] payload) {
        return new TaskRequest(Ids.next(), type, payload, Map.of(), null);
    }

    /**
     * Task ids no other client makes: a random 64-bit prefix drawn once per JVM, then a counter (a UUID per task
     * would ask SecureRandom, under a lock, for every task).
     */
    private static final class Ids {
        private static final String PREFIX = Long.toHexString(new java.security.SecureRandom().nextLong() | (1L << 63));
        private static final java.util.concurrent.atomic.AtomicLong COUNTER =
                new java.util.concurrent.atomic.AtomicLong();

        static String next() {
            return PREFIX + "-" + Long.toHexString(COUNTER.incrementAndGet());
        }
    }

    /** A task whose payload is a Jackson tree. */
    public static TaskRequest of(String type, JsonNode payload) {
        try {
            return of(type, JSON.writeValueAsBytes(payload));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the payload cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** @return this task with another id (a retry of a task carries the first one's) */
    public TaskRequest withId(String id) {
        return new TaskRequest(id, type, payload, metadata, timeout);
    }

    /** @return this task with a timeout */
    public TaskRequest withTimeout(Duration timeout) {
        return new TaskRequest(id, type, payload, metadata, timeout);
    }

    /** @return this task with metadata */
    public TaskRequest withMetadata(Map<String, String> metadata) {
        return new TaskRequest(id, type, payload, metadata, timeout);
    }
}
