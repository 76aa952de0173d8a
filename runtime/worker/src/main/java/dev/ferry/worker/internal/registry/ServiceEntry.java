package dev.ferry.worker.internal.registry;

import dev.ferry.executor.api.Executor;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One registered executor service. The service object is fetched on first use (so a delayed
 * component is not activated by registration alone) and released after the entry is drained.
 */
final class ServiceEntry {
    /** Highest ranking first, then lowest service id: the OSGi service ordering. */
    static final Comparator<ServiceEntry> ORDER =
            Comparator.comparingInt((ServiceEntry e) -> -e.ranking).thenComparingLong(e -> e.serviceId);

    /** What the service's properties say, replaced whole when they change. */
    record Properties(int ranking, long maxTimeoutNanos, int maxConcurrency) {
        /** None of the service properties the registry reads. */
        static final Properties NONE = new Properties(0, Long.MAX_VALUE, Integer.MAX_VALUE);
    }

    final String type;
    final long serviceId;
    final String bundleName;
    final String bundleVersion;
    final String executedBy;
    /** Read by ORDER while sorting: a plain copy of {@link #properties}' ranking. */
    private volatile int ranking;

    private volatile Properties properties;

    private final Supplier<Executor> getter;
    private final Runnable releaser;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean removed;
    private volatile Executor service;

    ServiceEntry(
            String type,
            long serviceId,
            Properties properties,
            String bundleName,
            String bundleVersion,
            Supplier<Executor> getter,
            Runnable releaser) {
        this.type = type;
        this.serviceId = serviceId;
        this.properties = properties;
        this.ranking = properties.ranking();
        this.bundleName = bundleName;
        this.bundleVersion = bundleVersion;
        this.executedBy = bundleName + "/" + bundleVersion;
        this.getter = getter;
        this.releaser = releaser;
    }

    /** The service's properties changed (the tracker saw it); the caller re-sorts its type. */
    void properties(Properties next) {
        properties = next;
        ranking = next.ranking();
    }

    int ranking() {
        return ranking;
    }

    /** The executor's own cap on deadlines, in nanoseconds; Long.MAX_VALUE when it sets none. */
    long maxTimeoutNanos() {
        return properties.maxTimeoutNanos();
    }

    /** The executor's own cap on tasks at once; Integer.MAX_VALUE when it sets none. */
    int maxConcurrency() {
        return properties.maxConcurrency();
    }

    /** Marks one more task on this entry; false when the entry is going away (pick another). */
    boolean enter() {
        inFlight.incrementAndGet();
        if (removed) {
            exit();
            return false;
        }
        return true;
    }

    void exit() {
        if (inFlight.decrementAndGet() == 0 && removed) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /** @return true once the entry is being removed (drained): it takes no new task */
    boolean isRemoved() {
        return removed;
    }

    int inFlight() {
        return inFlight.get();
    }

    /**
     * The service object, fetched once. Null when it cannot be had (its component failed to
     * activate); the next call tries again. No lock is held while the framework activates the
     * component: two racing callers may both fetch, and the loser releases its use at once.
     */
    Executor service() {
        Executor s = service;
        if (s != null || removed) {
            return s;
        }
        s = getter.get();
        if (s == null) {
            releaser.run();
            return null;
        }
        synchronized (this) {
            if (service == null && !removed) {
                service = s;
                return s;
            }
        }
        releaser.run();
        return service;
    }

    /**
     * Stops new tasks from entering, tells {@code removed} so, and waits, bounded, for the running
     * ones to leave; then releases the service object.
     *
     * @return the number of tasks still running when the wait gave up (0 on a clean drain)
     */
    int drain(long timeoutNanos, Runnable removed) throws InterruptedException {
        this.removed = true;
        removed.run();
        long deadline = System.nanoTime() + timeoutNanos;
        boolean release;
        synchronized (this) {
            long left;
            while (inFlight.get() > 0 && (left = deadline - System.nanoTime()) > 0) {
                wait(Math.max(1, left / 1_000_000));
            }
            release = service != null;
            service = null;
        }
        if (release) {
            releaser.run();
        }
        return inFlight.get();
    }

    @Override
    public String toString() {
        return type + " from " + executedBy + " (service " + serviceId + ", ranking " + ranking + ")";
    }
}
