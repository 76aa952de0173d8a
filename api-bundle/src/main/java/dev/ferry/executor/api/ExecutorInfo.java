package dev.ferry.executor.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One registered executor service as the registry sees it: an immutable snapshot made by the
 * registry. A provider type, so it can grow (a minor version) without breaking callers.
 */
@ProviderType
public interface ExecutorInfo {

    /** @return the task type */
    String type();

    /** @return the symbolic name of the bundle serving it */
    String bundleSymbolicName();

    /** @return the version of the bundle serving it */
    String bundleVersion();

    /** @return the service id */
    long serviceId();

    /** @return the service ranking */
    int ranking();

    /** @return {@code true} when this service serves the type; {@code false} for a standby */
    boolean isActive();

    /**
     * @return the health of the serving service (an executor that cannot operate, a refused
     *     configuration, stopped tasks that did not return), or {@code null} for a standby
     */
    Health health();

    /** @return tasks running on this service now */
    int inFlight();

    /** @return the type's counters (shared by all services of the type) */
    ExecutorStats stats();
}
