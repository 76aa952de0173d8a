package dev.ferry.executor.api;

import java.util.Objects;

/**
 * Whether an executor can operate now, with the reason when it cannot. Immutable. A degraded
 * executor operates, but the operator must act: its latest configuration was refused and it runs on
 * the previous one, say; the shell lists it as {@code UP, but …}.
 */
public final class Health {
    private static final Health HEALTHY = new Health(true, false, "ok");

    private final boolean healthy;
    private final boolean degraded;
    private final String message;

    private Health(boolean healthy, boolean degraded, String message) {
        this.healthy = healthy;
        this.degraded = degraded;
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
        return new Health(true, false, message);
    }

    /**
     * @param reason what the operator must fix, e.g. {@code "configuration etc/x.cfg, blocked_comands: is
     *     not a known key …; the previous configuration stays"}
     * @return a report of an executor that operates but needs attention: healthy, and degraded
     */
    public static Health degraded(String reason) {
        return new Health(true, true, reason);
    }

    /**
     * @param reason why the executor cannot operate, for an operator to act on
     * @return an unhealthy report
     */
    public static Health unhealthy(String reason) {
        return new Health(false, false, reason);
    }

    /** @return {@code true} when the executor can operate */
    public boolean isHealthy() {
        return healthy;
    }

    /** @return {@code true} when it operates but needs the operator (see {@link #degraded}) */
    public boolean isDegraded() {
        return degraded;
    }

    /** @return the detail: {@code "ok"}, or why it cannot operate */
    public String message() {
        return message;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Health h && h.healthy == healthy && h.degraded == degraded && h.message.equals(message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(healthy, degraded, message);
    }

    @Override
    public String toString() {
        return (healthy ? degraded ? "UP, DEGRADED" : "UP" : "DOWN") + " (" + message + ")";
    }
}
