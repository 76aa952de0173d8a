package dev.ferry.worker.internal.registry;

import dev.ferry.executor.api.Executor;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTrackerCustomizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the framework's {@link Executor} services into the {@link Dispatcher}'s service entries: reads
 * their properties (type, ranking, the executor's own caps), and hands each arrival, change and removal
 * over. A removal blocks the framework's thread for the drain while the leaving service is still usable,
 * which is why the registry tracks services itself instead of through a DS reference.
 */
final class ExecutorTracker implements ServiceTrackerCustomizer<Executor, ServiceEntry> {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorTracker.class);

    private final BundleContext context;
    private final Dispatcher dispatcher;

    ExecutorTracker(BundleContext context, Dispatcher dispatcher) {
        this.context = context;
        this.dispatcher = dispatcher;
    }

    @Override
    public ServiceEntry addingService(ServiceReference<Executor> ref) {
        Object type = ref.getProperty(Executor.TYPE);
        Bundle bundle = ref.getBundle();
        if (!(type instanceof String) || ((String) type).isBlank()) {
            LOG.warn(
                    "Ignoring Executor service {} from bundle {}: it has no '{}' service property naming its"
                            + " task type; add one (e.g. @Component(property = \"{}=mytype\"))",
                    ref.getProperty(Constants.SERVICE_ID),
                    bundle == null ? "?" : bundle.getSymbolicName(),
                    Executor.TYPE,
                    Executor.TYPE);
            return null;
        }
        ServiceEntry entry = new ServiceEntry(
                (String) type,
                (Long) ref.getProperty(Constants.SERVICE_ID),
                properties(ref),
                bundle.getSymbolicName(),
                bundle.getVersion().toString(),
                () -> context.getService(ref),
                () -> ungetQuietly(ref));
        dispatcher.serviceAdded(entry);
        return entry;
    }

    @Override
    public void modifiedService(ServiceReference<Executor> ref, ServiceEntry entry) {
        dispatcher.serviceModified(entry, properties(ref));
    }

    @Override
    public void removedService(ServiceReference<Executor> ref, ServiceEntry entry) {
        dispatcher.serviceRemoved(entry);
    }

    private void ungetQuietly(ServiceReference<Executor> ref) {
        try {
            context.ungetService(ref);
        } catch (IllegalStateException e) {
            // our own bundle is stopping: the framework releases everything anyway
        }
    }

    private static ServiceEntry.Properties properties(ServiceReference<?> ref) {
        Object r = ref.getProperty(Constants.SERVICE_RANKING);
        return new ServiceEntry.Properties(
                r instanceof Integer ? (Integer) r : 0, maxTimeout(ref), maxConcurrency(ref));
    }

    private static int maxConcurrency(ServiceReference<?> ref) {
        Object v = ref.getProperty(Executor.MAX_CONCURRENCY);
        if (v == null) {
            return Integer.MAX_VALUE;
        }
        try {
            int n = v instanceof Number
                    ? ((Number) v).intValue()
                    : Integer.parseInt(v.toString().trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        LOG.warn(
                "Ignoring {}={} on executor service {}: it must be a whole number >= 1",
                Executor.MAX_CONCURRENCY,
                v,
                ref.getProperty(Constants.SERVICE_ID));
        return Integer.MAX_VALUE;
    }

    private static long maxTimeout(ServiceReference<?> ref) {
        Object v = ref.getProperty(Executor.MAX_TIMEOUT_SECONDS);
        double seconds;
        if (v instanceof Number) {
            seconds = ((Number) v).doubleValue();
        } else if (v instanceof String) {
            try {
                seconds = Double.parseDouble((String) v);
            } catch (NumberFormatException e) {
                seconds = -1;
            }
        } else {
            return Long.MAX_VALUE;
        }
        if (!(seconds > 0)) {
            LOG.warn(
                    "Ignoring {}={} on executor service {}: it must be a positive number of seconds",
                    Executor.MAX_TIMEOUT_SECONDS,
                    v,
                    ref.getProperty(Constants.SERVICE_ID));
            return Long.MAX_VALUE;
        }
        return RegistrySettings.seconds(seconds);
    }
}
