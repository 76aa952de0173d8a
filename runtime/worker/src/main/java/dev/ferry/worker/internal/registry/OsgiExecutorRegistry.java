package dev.ferry.worker.internal.registry;

import dev.ferry.executor.api.Executor;
import dev.ferry.executor.api.ExecutorInfo;
import dev.ferry.executor.api.ExecutorRegistry;
import dev.ferry.executor.api.ExecutorStats;
import dev.ferry.executor.api.Health;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Task;
import dev.ferry.executor.api.TaskHandle;
import dev.ferry.executor.api.Validation;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import dev.ferry.support.Configs;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.util.tracker.ServiceTrackerCustomizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's {@link ExecutorRegistry}: tracks every {@link Executor} service in the framework
 * and feeds them to the {@link Dispatcher}. A service tracker rather than a DS reference, because
 * removal must block (the drain) while the leaving service is still usable, and the service
 * object must be fetched only when a task needs it.
 */
@Designate(ocd = RegistryConfig.class)
@Component(immediate = true, configurationPid = RegistryConfig.PID, service = {ExecutorRegistry.class, RegistryView.class})
public final class OsgiExecutorRegistry implements ExecutorRegistry, RegistryView {
    private static final Logger LOG = LoggerFactory.getLogger(OsgiExecutorRegistry.class);

    private final Dispatcher dispatcher;
    private final ServiceTracker<Executor, ServiceEntry> tracker;

    @Activate
    public OsgiExecutorRegistry(BundleContext context, Map<String, Object> properties) {
        RegistrySettings settings = RegistrySettings.DEFAULTS;
        String refused = null;
        try {
            settings = RegistrySettings.from(Configs.read(RegistryConfig.class, RegistryConfig.PID, properties));
        } catch (IllegalArgumentException e) {
            // its limits may be what keeps this worker from being overrun: without them, nothing runs
            refused = e.getMessage();
            LOG.warn("{}; the worker runs no task until the configuration is fixed", refused);
        }
        this.dispatcher = new Dispatcher(settings);
        dispatcher.refuse(refused);
        this.tracker = new ServiceTracker<>(context, Executor.class, new Customizer(context));
        tracker.open(true);
        LOG.debug("Executor registry started with {}", dispatcher.settings());
    }

    @Modified
    void modified(Map<String, Object> properties) {
        try {
            dispatcher.update(RegistrySettings.from(Configs.read(RegistryConfig.class, RegistryConfig.PID, properties)));
            dispatcher.refuse(null);
            LOG.info("Executor registry reconfigured: {}", dispatcher.settings());
        } catch (IllegalArgumentException e) {
            LOG.warn("{}; the previous configuration stays", e.getMessage());
        }
    }

    @Deactivate
    void deactivate() {
        tracker.close(); // drains every executor
        dispatcher.close();
    }

    @Override
    public List<ExecutorInfo> capabilities() {
        return dispatcher.capabilities();
    }

    @Override
    public Map<String, Health> health() {
        return dispatcher.health();
    }

    @Override
    public Validation validate(String type, byte[] payload) {
        return dispatcher.validate(type, payload);
    }

    @Override
    public Result execute(Task task, Duration timeout) {
        return dispatcher.execute(task, timeout);
    }

    @Override
    public TaskHandle submit(Task task, Duration timeout) {
        return dispatcher.submit(task, timeout);
    }

    @Override
    public Map<String, ExecutorStats> stats() {
        return dispatcher.stats();
    }

    @Override
    public Map<String, Integer> limits() {
        return dispatcher.limits();
    }

    private final class Customizer implements ServiceTrackerCustomizer<Executor, ServiceEntry> {
        private final BundleContext context;

        Customizer(BundleContext context) {
            this.context = context;
        }

        @Override
        public ServiceEntry addingService(ServiceReference<Executor> ref) {
            Object type = ref.getProperty(Executor.TYPE);
            Bundle bundle = ref.getBundle();
            if (!(type instanceof String) || ((String) type).isBlank()) {
                LOG.warn("Ignoring Executor service {} from bundle {}: it has no '{}' service property naming its"
                        + " task type; add one (e.g. @Component(property = \"{}=mytype\"))",
                        ref.getProperty(Constants.SERVICE_ID), bundle == null ? "?" : bundle.getSymbolicName(),
                        Executor.TYPE, Executor.TYPE);
                return null;
            }
            ServiceEntry entry = new ServiceEntry((String) type, (Long) ref.getProperty(Constants.SERVICE_ID),
                    ranking(ref), maxTimeout(ref), bundle.getSymbolicName(), bundle.getVersion().toString(),
                    () -> context.getService(ref), () -> ungetQuietly(ref));
            entry.maxConcurrency = maxConcurrency(ref);
            dispatcher.add(entry);
            return entry;
        }

        @Override
        public void modifiedService(ServiceReference<Executor> ref, ServiceEntry entry) {
            entry.ranking = ranking(ref);
            entry.maxTimeoutNanos = maxTimeout(ref);
            entry.maxConcurrency = maxConcurrency(ref);
            dispatcher.modified(entry);
        }

        @Override
        public void removedService(ServiceReference<Executor> ref, ServiceEntry entry) {
            dispatcher.remove(entry);
        }

        private void ungetQuietly(ServiceReference<Executor> ref) {
            try {
                context.ungetService(ref);
            } catch (IllegalStateException e) {
                // our own bundle is stopping: the framework releases everything anyway
            }
        }
    }

    private static int ranking(ServiceReference<?> ref) {
        Object r = ref.getProperty(Constants.SERVICE_RANKING);
        return r instanceof Integer ? (Integer) r : 0;
    }

    private static int maxConcurrency(ServiceReference<?> ref) {
        Object v = ref.getProperty(Executor.MAX_CONCURRENCY);
        if (v == null) {
            return Integer.MAX_VALUE;
        }
        try {
            int n = v instanceof Number ? ((Number) v).intValue() : Integer.parseInt(v.toString().trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        LOG.warn("Ignoring {}={} on executor service {}: it must be a whole number >= 1", Executor.MAX_CONCURRENCY, v,
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
            LOG.warn("Ignoring {}={} on executor service {}: it must be a positive number of seconds",
                    Executor.MAX_TIMEOUT_SECONDS, v, ref.getProperty(Constants.SERVICE_ID));
            return Long.MAX_VALUE;
        }
        return RegistrySettings.seconds(seconds);
    }
}
