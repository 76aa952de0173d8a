package dev.ferry.executor.api;

import java.util.Objects;

/**
 * One registered executor service as the registry sees it. Immutable snapshot.
 */
public final class ExecutorInfo {
    private final String type;
    private final String bundleSymbolicName;
    private final String bundleVersion;
    private final long serviceId;
    private final int ranking;
    private final boolean active;
    private final Health health;
    private final int inFlight;
    private final ExecutorStats stats;

    /**
     * @param type the task type
     * @param bundleSymbolicName the bundle that registered the service
     * @param bundleVersion that bundle's version
     * @param serviceId the service id
     * @param ranking the service ranking
     * @param active whether this service serves the type now (others are standby)
     * @param health its health, or {@code null} when not asked for
     * @param inFlight tasks running on this service now
     * @param stats counters of the type (shared by all services of the type)
     */
    public ExecutorInfo(String type, String bundleSymbolicName, String bundleVersion, long serviceId,
            int ranking, boolean active, Health health, int inFlight, ExecutorStats stats) {
        this.type = Objects.requireNonNull(type);
        this.bundleSymbolicName = Objects.requireNonNull(bundleSymbolicName);
        this.bundleVersion = Objects.requireNonNull(bundleVersion);
        this.serviceId = serviceId;
        this.ranking = ranking;
        this.active = active;
        this.health = health;
        this.inFlight = inFlight;
        this.stats = Objects.requireNonNull(stats);
    }

    /** @return the task type */
    public String type() {
        return type;
    }

    /** @return the symbolic name of the bundle serving it */
    public String bundleSymbolicName() {
        return bundleSymbolicName;
    }

    /** @return the version of the bundle serving it */
    public String bundleVersion() {
        return bundleVersion;
    }

    /** @return the service id */
    public long serviceId() {
        return serviceId;
    }

    /** @return the service ranking */
    public int ranking() {
        return ranking;
    }

    /** @return {@code true} when this service serves the type; {@code false} for a standby */
    public boolean isActive() {
        return active;
    }

    /** @return the health, or {@code null} when the snapshot was taken without it */
    public Health health() {
        return health;
    }

    /** @return tasks running on this service now */
    public int inFlight() {
        return inFlight;
    }

    /** @return the type's counters */
    public ExecutorStats stats() {
        return stats;
    }

    @Override
    public String toString() {
        return type + " " + bundleSymbolicName + "/" + bundleVersion + (active ? "" : " (standby)");
    }
}
