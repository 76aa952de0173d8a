package dev.ferry.worker.internal.registry;

import dev.ferry.executor.api.Executor;
import dev.ferry.executor.api.ExecutorInfo;
import dev.ferry.executor.api.ExecutorRegistry;
import dev.ferry.executor.api.ExecutorStats;
import dev.ferry.executor.api.Health;
import dev.ferry.executor.api.OutputSink;
import dev.ferry.executor.api.Rejection;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Task;
import dev.ferry.executor.api.TaskHandle;
import dev.ferry.executor.api.Validation;
import dev.ferry.support.Configs;
import dev.ferry.support.Configured;
import dev.ferry.support.Ticker;
import dev.ferry.worker.spi.ServingListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.util.tracker.ServiceTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's {@link ExecutorRegistry}, its one implementation, as a component: its configuration,
 * the {@link ExecutorTracker} that feeds the {@link Dispatcher} (which runs every task), the observers
 * told of every answered task, and the operator's view (capabilities, health, counters, drain).
 */
@Designate(ocd = RegistryConfig.class)
@Component(
        immediate = true,
        configurationPid = RegistryConfig.PID,
        service = {ExecutorRegistry.class, RegistryView.class})
public final class OsgiExecutorRegistry implements ExecutorRegistry, RegistryView {
    private static final Logger LOG = LoggerFactory.getLogger(OsgiExecutorRegistry.class);
    /** Its configuration's PID. */
    public static final String PID = RegistryConfig.PID;
    /** How it reads its configuration: the check config.yaml's bridge asks is this reader too. */
    public static final java.util.function.Function<Map<String, Object>, ?> READER = OsgiExecutorRegistry::settings;

    private final Configured<RegistrySettings> config;
    private final Dispatcher dispatcher;
    private final ServiceTracker<Executor, ServiceEntry> tracker;
    /** Whoever is told of every answered task (the audit trail); replaced, never mutated. */
    private volatile TaskObserver[] observers = new TaskObserver[0];
    /** Whoever is told when an operator drains or resumes a type (the gRPC health entries); read only then. */
    private final java.util.List<ServingListener> servingListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * @param switches the config.yaml bridge: a mandatory reference, so no task runs before the file
     *     found at start was applied (or refused)
     */
    @Activate
    public OsgiExecutorRegistry(BundleContext context, Map<String, Object> properties, @Reference Switches switches) {
        // refused, its limits may be what keeps this worker from being overrun: without them, nothing runs
        this.config = new Configured<RegistrySettings>(LOG, "the worker", null).start(() -> settings(properties));
        this.dispatcher = new Dispatcher(config, switches, Ticker.SYSTEM);
        this.tracker = new ServiceTracker<>(context, Executor.class, new ExecutorTracker(context, dispatcher));
        tracker.open(true);
        LOG.debug("Executor registry started with {}", dispatcher.settings());
    }

    /** For tests and benchmarks: a registry outside a framework, fed through {@link #dispatcher()}. */
    OsgiExecutorRegistry(RegistrySettings settings, Switches switches, Ticker ticker) {
        this.config = new Configured<>(LOG, "the worker", settings);
        this.dispatcher = new Dispatcher(config, switches, ticker);
        this.tracker = null;
    }

    private static RegistrySettings settings(Map<String, Object> properties) {
        return RegistrySettings.from(Configs.read(RegistryConfig.class, RegistryConfig.PID, properties));
    }

    @Modified
    void modified(Map<String, Object> properties) {
        if (config.update(() -> settings(properties))) {
            dispatcher.reconfigured();
            LOG.info("Executor registry reconfigured: {}", dispatcher.settings());
        }
    }

    @Deactivate
    void deactivate() {
        if (tracker != null) {
            tracker.close(); // drains every executor
        }
        dispatcher.close();
    }

    /** Where tasks run; tests feed it services by hand. */
    Dispatcher dispatcher() {
        return dispatcher;
    }

    /** Applies plain settings as a new configuration would (tests). */
    void configure(RegistrySettings settings) {
        config.update(() -> settings);
        dispatcher.reconfigured();
    }

    // -- running tasks

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    synchronized void addObserver(TaskObserver o) {
        TaskObserver[] next = Arrays.copyOf(observers, observers.length + 1);
        next[next.length - 1] = o;
        observers = next;
    }

    synchronized void removeObserver(TaskObserver o) {
        observers = Arrays.stream(observers).filter(x -> x != o).toArray(TaskObserver[]::new);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addServingListener(ServingListener l) {
        servingListeners.add(l);
    }

    void removeServingListener(ServingListener l) {
        servingListeners.remove(l);
    }

    private void tell(String type, boolean stops) {
        for (ServingListener l : servingListeners) {
            try {
                if (stops) {
                    l.stopsServing(type);
                } else {
                    l.changed(type);
                }
            } catch (RuntimeException e) {
                LOG.warn("Serving listener {} failed on type {}", l, type, e);
            }
        }
    }

    private void observe(Task task, Result result) {
        for (TaskObserver o : observers) {
            try {
                o.ended(task, result);
            } catch (RuntimeException e) {
                LOG.warn("Task observer {} failed on task {}", o, task.id(), e);
            }
        }
    }

    @Override
    public Result execute(Task task, Duration timeout) {
        Result r = dispatcher.execute(task, timeout);
        if (observers.length > 0) {
            observe(task, r);
        }
        return r;
    }

    @Override
    public TaskHandle submit(Task task, Duration timeout) {
        return submit(task, timeout, null);
    }

    @Override
    public TaskHandle submit(Task task, Duration timeout, OutputSink output) {
        TaskHandle h = dispatcher.submit(task, timeout, output);
        if (observers.length > 0) {
            h.result().whenComplete((r, failure) -> {
                if (r != null) {
                    observe(task, r);
                }
            });
        }
        return h;
    }

    @Override
    public Validation validate(String type, byte[] payload) {
        Result r = dispatcher.validate(new Task("validate", type, payload, Map.of()));
        if (r == Outcomes.VALID) {
            return Validation.valid();
        }
        // a refusal without a rejection (an executor that cannot be activated) is an unknown type
        return Validation.invalid(r.rejection() == null ? Rejection.UNKNOWN_TYPE : r.rejection(), r.error());
    }

    // -- what it serves

    @Override
    public List<ExecutorInfo> capabilities() {
        List<ExecutorInfo> out = new ArrayList<>();
        for (TypeSlot slot : dispatcher.table().slots()) {
            ServiceEntry[] entries = slot.entries();
            for (int i = 0; i < entries.length; i++) {
                ServiceEntry e = entries[i];
                Health health = i == 0 ? healthOf(slot, e) : null;
                out.add(new Info(
                        e.type,
                        e.bundleName,
                        e.bundleVersion,
                        e.serviceId,
                        e.ranking(),
                        i == 0,
                        health,
                        e.inFlight(),
                        slot.stats.snapshot()));
            }
        }
        return out;
    }

    @Override
    public Map<String, Health> health() {
        Map<String, Health> out = new TreeMap<>();
        for (TypeSlot slot : dispatcher.table().slots()) {
            ServiceEntry[] entries = slot.entries();
            if (entries.length > 0) {
                out.put(slot.type, healthOf(slot, entries[0]));
            }
        }
        return out;
    }

    @Override
    public int drain(String type, String reason) {
        boolean why = reason != null && !reason.isBlank();
        if (dispatcher.table().get(type) != null) {
            // health first: a client balancing on it stops sending before the refusals start
            tell(type, true);
        }
        int running = dispatcher.drain(
                type,
                "type '" + type + "' is drained for maintenance" + (why ? " (" + reason + ")" : "")
                        + "; it takes no new task until an operator runs executor:resume " + type
                        + " (send it elsewhere meanwhile)");
        if (running >= 0) {
            LOG.info(
                    "Type '{}' drained{}: new tasks are refused, {} running finish",
                    type,
                    why ? " (" + reason + ")" : "",
                    running);
        }
        return running;
    }

    @Override
    public boolean resume(String type) {
        boolean resumed = dispatcher.resume(type);
        if (resumed) {
            tell(type, false);
            LOG.info("Type '{}' resumed: it takes tasks again", type);
        }
        return resumed;
    }

    @Override
    public Map<String, String> drained() {
        Map<String, String> out = new TreeMap<>();
        for (TypeSlot slot : dispatcher.table().slots()) {
            slot.drainedBy().ifPresent(why -> out.put(slot.type, why));
        }
        return out;
    }

    @Override
    public Map<String, TypeState> typeStates(double[] bounds) {
        Map<String, TypeState> out = new TreeMap<>();
        for (TypeSlot slot : dispatcher.table().slots()) {
            out.put(
                    slot.type,
                    new TypeState(
                            slot.inFlight(),
                            slot.parkedForPermit() + slot.parkedForArrival(),
                            slot.limit(),
                            slot.entries().length,
                            slot.drainedBy().isPresent(),
                            slot.stats.metrics(bounds)));
        }
        return out;
    }

    @Override
    public long unknownTypeRejections() {
        return dispatcher.unknownTypes();
    }

    @Override
    public Map<String, ExecutorStats> stats() {
        Map<String, ExecutorStats> out = new TreeMap<>();
        dispatcher.table().slots().forEach(s -> out.put(s.type, s.stats.snapshot()));
        return out;
    }

    @Override
    public Map<String, Integer> limits() {
        Map<String, Integer> out = new TreeMap<>();
        dispatcher.table().slots().forEach(s -> out.put(s.type, s.limit()));
        return out;
    }

    /**
     * A type's health: the executor's own, unless the registry's configuration was refused (nothing
     * runs), the type is switched off or drained, or stopped tasks did not come back from it.
     */
    private Health healthOf(TypeSlot slot, ServiceEntry e) {
        Optional<String> refusal = dispatcher.notServing();
        if (refusal.isPresent()) {
            return Health.unhealthy(refusal.get());
        }
        Optional<String> off = dispatcher.switches().off(slot.type);
        if (off.isPresent()) {
            return Health.unhealthy(off.get());
        }
        Optional<String> drained = slot.drainedBy();
        if (drained.isPresent()) {
            return Health.unhealthy(drained.get());
        }
        Health h = executorHealth(e);
        Map<String, String> stuck = slot.stuck();
        if (stuck.isEmpty()) {
            return h;
        }
        return Health.unhealthy(stuck.size() + " stopped task(s) still running in the executor (task id = thread: "
                + new TreeMap<>(stuck) + "); see the log for their stacks. " + (h.isHealthy() ? "" : h.message()));
    }

    private static Health executorHealth(ServiceEntry e) {
        Executor executor = e.service();
        if (executor == null) {
            return Health.unhealthy(Outcomes.notActivatedText(e));
        }
        try {
            Health h = executor.health();
            return h == null ? Health.unhealthy("the health check returned nothing") : h;
        } catch (RuntimeException | LinkageError ex) {
            return Health.unhealthy("the health check failed: " + ex);
        }
    }

    private record Info(
            String type,
            String bundleSymbolicName,
            String bundleVersion,
            long serviceId,
            int ranking,
            boolean isActive,
            Health health,
            int inFlight,
            ExecutorStats stats)
            implements ExecutorInfo {
        @Override
        public String toString() {
            return type + " " + bundleSymbolicName + "/" + bundleVersion + (isActive ? "" : " (standby)");
        }
    }
}
