package dev.ferry.executor.api;

import java.util.Objects;

/** Whether an executor can operate now, with the reason when it cannot. Immutable. */
public final class Health {
    private static final Health HEALTHY = new Health(true, "ok");

    private final boolean healthy;
    private final String message;

    private Health(boolean healthy, String message) {
        this.healthy = healthy;
        this.message = Objects.requireNonNull(message, "message");
    }

    /** @return a healthy report with the message {@code "ok"} */
    public static Health healthy() {
        return HEALTHY;
    }

    /**
     * @param message what the executor can do, e.g. {@code "ok; sandbox: bwrap 0.8.0"}
     * @return a healthy report
     */
    public static Health healthy(String message) {
        return new Health(true, message);
    }

    /**
     * @param reason why the executor cannot operate, for an operator to act on
     * @return an unhealthy report
     */
    public static Health unhealthy(String reason) {
        return new Health(false, reason);
    }

    /** @return {@code true} when the executor can operate */
    public boolean isHealthy() {
        return healthy;
    }

    /** @return the detail: {@code "ok"}, or why it cannot operate */
    public String message() {
        return message;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Health h && h.healthy == healthy && h.message.equals(message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(healthy, message);
    }

    @Override
    public String toString() {
        return (healthy ? "UP" : "DOWN") + " (" + message + ")";
    }
}
