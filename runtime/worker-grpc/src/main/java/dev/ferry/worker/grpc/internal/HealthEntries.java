package dev.ferry.worker.grpc.internal;

import dev.ferry.executor.api.Executor;
import dev.ferry.executor.api.ExecutorRegistry;
import dev.ferry.executor.api.Health;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one grpc.health.v1 entry per executor type, {@code executor.<type>}: SERVING while its
 * service reports healthy, NOT_SERVING otherwise, gone (NOT_FOUND) once no service of the type
 * is registered. Executor services are tracked by reference only (never activated here), so an
 * install or uninstall shows at once; health itself is asked every few seconds, and at once when an operator
 * drains or resumes a type (the registry tells this {@link dev.ferry.worker.spi.ServingListener} before it
 * refuses the type's tasks, so clients balancing on health stop sending them first).
 */
final class HealthEntries implements dev.ferry.worker.spi.ServingListener {
    static final String PREFIX = "executor.";
    private static final Logger LOG = LoggerFactory.getLogger(HealthEntries.class);

    private final BundleContext context;
    private final HealthStatusManager manager;
    private final ExecutorRegistry registry;
    private final ScheduledExecutorService scheduler;
    private final ServiceTracker<Executor, String> tracker;
    private final AtomicBoolean pending = new AtomicBoolean();
    private static final int CATCH_UPS = 8;
    private final java.util.concurrent.atomic.AtomicInteger catchUps = new java.util.concurrent.atomic.AtomicInteger();
    private final Set<String> published = new HashSet<>(); // guarded by this
    /** Types the registry said stop serving, NOT_SERVING here whatever a refresh reads until they change. */
    private final Set<String> leaving = new HashSet<>(); // guarded by this

    private final ScheduledFuture<?> periodic;

    HealthEntries(
            BundleContext context,
            ExecutorRegistry registry,
            HealthStatusManager manager,
            ScheduledExecutorService scheduler,
            int refreshSeconds) {
        this.context = context;
        this.manager = manager;
        this.registry = registry;
        this.scheduler = scheduler;
        this.tracker = new ServiceTracker<>(context, Executor.class, null) {
            @Override
            public String addingService(ServiceReference<Executor> ref) {
                Object type = ref.getProperty(Executor.TYPE);
                changed();
                return type instanceof String ? (String) type : "";
            }

            @Override
            public void modifiedService(ServiceReference<Executor> ref, String type) {
                changed();
            }

            @Override
            public void removedService(ServiceReference<Executor> ref, String type) {
                changed();
            }
        };
        tracker.open();
        // the entries of the types served now exist before the server is announced (the ready line): a client
        // balancing on them would otherwise find none and fail its first calls
        refresh();
        periodic = scheduler.scheduleWithFixedDelay(this::refresh, refreshSeconds, refreshSeconds, TimeUnit.SECONDS);
    }

    /** A service came, changed or went: look now, and again a few times while the registry catches up. */
    private void changed() {
        catchUps.set(CATCH_UPS);
        refreshSoon();
    }

    private void refreshSoon() {
        if (pending.compareAndSet(false, true)) {
            try {
                scheduler.execute(() -> {
                    pending.set(false);
                    refresh();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the server is stopping; nobody asks any more
            }
        }
    }

    /**
     * The types whose services are registered now, as the framework says: not the tracker's own map, which a
     * service joins only after its adding event (whose refresh may run before it) returns.
     */
    private Set<String> registeredTypes() {
        Set<String> types = new TreeSet<>();
        try {
            for (ServiceReference<Executor> ref : context.getServiceReferences(Executor.class, null)) {
                Object type = ref.getProperty(Executor.TYPE);
                if (type instanceof String t && !t.isEmpty()) {
                    types.add(t);
                }
            }
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException("no filter given, yet: " + e, e);
        }
        return types;
    }

    synchronized void refresh() {
        try {
            Set<String> types = registeredTypes();
            Map<String, Health> health = registry.health();
            boolean behind = false;
            Set<String> now = new HashSet<>();
            for (String type : types) {
                Health h = health.get(type);
                if (h == null) {
                    // the registry sees a new service in the same event as this, maybe after it: not yet an entry (a
                    // client would see a NOT_SERVING that was never true); one it had stays, NOT_SERVING
                    behind = true;
                    if (!published.contains(type)) {
                        continue;
                    }
                }
                boolean serving = h != null && h.isHealthy() && !leaving.contains(type);
                manager.setStatus(PREFIX + type, serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
                now.add(type);
            }
            for (String gone : published) {
                if (!now.contains(gone)) {
                    manager.clearStatus(PREFIX + gone);
                }
            }
            published.clear();
            published.addAll(now);
            // a service the registry never takes (no valid type) must not keep this asking
            if (behind && catchUps.getAndDecrement() > 0) {
                scheduler.schedule(this::refreshSoon, 250, TimeUnit.MILLISECONDS);
            }
        } catch (java.util.concurrent.RejectedExecutionException | IllegalStateException e) {
            // the server is stopping (its scheduler, or this bundle's context, is gone); nobody asks any more
        } catch (RuntimeException e) {
            LOG.warn("could not refresh the gRPC health entries: {}", e.toString());
        }
    }

    @Override
    public synchronized void stopsServing(String type) {
        leaving.add(type);
        manager.setStatus(PREFIX + type, ServingStatus.NOT_SERVING);
    }

    @Override
    public synchronized void changed(String type) {
        leaving.remove(type);
        refresh();
    }

    void close() {
        periodic.cancel(false);
        tracker.close();
    }
}
