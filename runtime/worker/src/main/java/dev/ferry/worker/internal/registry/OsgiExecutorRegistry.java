package dev.ferry.worker.internal.registry;

import dev.ferry.executor.api.Executor;
import dev.ferry.executor.api.ExecutorInfo;
import dev.ferry.executor.api.ExecutorRegistry;
import dev.ferry.executor.api.ExecutorStats;
import dev.ferry.executor.api.Health;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;
import dev.ferry.executor.api.TaskHandle;
import dev.ferry.executor.api.Validation;
import java.time.Duration;
import dev.ferry.executor.api.OutputSink;
import dev.ferry.executor.api.Rejection;
import dev.ferry.support.Configs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.util.tracker.ServiceTrackerCustomizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's {@link ExecutorRegistry}, its one implementation: tracks every {@link Executor}
 * service in the framework (a service tracker rather than a DS reference, because removal must block
 * for the drain while the leaving service is still usable, and the service object must be fetched
 * only when a task needs it) and runs tasks through its parts: the {@link ServiceTable} (services by
 * type, drain), {@link Admission} (selection, prepare, permits, parking), the {@link Runner} and the
 * {@link Deadlines} watchdog; statistics live in each type's {@link TypeStats}.
 */
@Designate(ocd = RegistryConfig.class)
@Component(immediate = true, configurationPid = RegistryConfig.PID, service = {ExecutorRegistry.class, RegistryView.class})
public final class OsgiExecutorRegistry implements ExecutorRegistry, RegistryView {
    private static final Logger LOG = LoggerFactory.getLogger(OsgiExecutorRegistry.class);
    /** Tasks refused for a type nobody serves (validations included). */
    private final java.util.concurrent.atomic.LongAdder unknownTypes = new java.util.concurrent.atomic.LongAdder();

    private final ServiceTable table;
    private final Deadlines deadlines = new Deadlines("ferry-deadlines");
    private final Runner runner = new Runner(deadlines);
    private final Admission admission;
    private final ServiceTracker<Executor, ServiceEntry> tracker;
    private volatile boolean closed;
    /** Set while the registry's configuration is refused at start: no task runs, each is told why. */
    private volatile String refused;
    private final Switches switches;

    /**
     * @param switches the config.yaml bridge: a mandatory reference, so no task runs before the file
     *     found at start was applied (or refused)
     */
    @Activate
    public OsgiExecutorRegistry(BundleContext context, Map<String, Object> properties, @Reference Switches switches) {
        this.switches = switches;
        RegistrySettings settings = RegistrySettings.DEFAULTS;
        String refusal = null;
        try {
            settings = RegistrySettings.from(Configs.read(RegistryConfig.class, RegistryConfig.PID, properties));
        } catch (IllegalArgumentException e) {
            // its limits may be what keeps this worker from being overrun: without them, nothing runs
            refusal = e.getMessage();
            LOG.warn("{}; the worker runs no task until the configuration is fixed", refusal);
        }
        this.table = new ServiceTable(settings, deadlines);
        table.switches(switches);
        this.admission = new Admission(table, deadlines, runner.pool());
        this.refused = refusal;
        this.tracker = new ServiceTracker<>(context, Executor.class, new Customizer(context));
        tracker.open(true);
        LOG.debug("Executor registry started with {}", table.settings());
    }

    /** For tests: a registry fed by {@link #add} and {@link #remove} instead of the framework. */
    OsgiExecutorRegistry(RegistrySettings settings) {
        this(settings, Switches.ALL_ON);
    }

    /** For tests: {@link #OsgiExecutorRegistry(RegistrySettings)} with types switched off. */
    OsgiExecutorRegistry(RegistrySettings settings, Switches switches) {
        this.switches = switches;
        this.table = new ServiceTable(settings, deadlines);
        table.switches(switches);
        this.admission = new Admission(table, deadlines, runner.pool());
        this.tracker = null;
    }

    @Modified
    void modified(Map<String, Object> properties) {
        try {
            table.update(RegistrySettings.from(Configs.read(RegistryConfig.class, RegistryConfig.PID, properties)));
            refused = null;
            LOG.info("Executor registry reconfigured: {}", table.settings());
        } catch (IllegalArgumentException e) {
            LOG.warn("{}; the previous configuration stays", e.getMessage());
        }
    }

    @Deactivate
    void deactivate() {
        if (tracker != null) {
            tracker.close(); // drains every executor
        }
        close();
    }

    void close() {
        closed = true;
        // tasks still parked for a slot or a type are answered now; none waits for a registry that is gone
        for (TypeSlot slot : table.slots()) {
            slot.takeAllParked().forEach(Waiter::shutDown);
        }
        runner.close();
        deadlines.close();
    }

    void add(ServiceEntry entry) {
        table.add(entry);
    }

    void remove(ServiceEntry entry) {
        table.remove(entry);
    }

    /** How long a stopped task's thread may stay in its executor before it is reported (tests shorten it). */
    void stuckAfter(Duration d) {
        deadlines.stuckNanos = d.toNanos();
    }

    void update(RegistrySettings settings) {
        table.update(settings);
    }

    /** Tasks parked for a service of a type now (tests look). */
    int parkedForArrival(String type) {
        TypeSlot slot = table.get(type);
        return slot == null ? 0 : slot.parkedForArrival();
    }

    /** Tasks parked for a permit of a type now (tests look). */
    int parked(String type) {
        TypeSlot slot = table.get(type);
        return slot == null ? 0 : slot.parkedForPermit();
    }

    // -- running tasks

    /** Whoever is told of every answered task (the audit trail); replaced, never mutated. */
    private volatile TaskObserver[] observers = new TaskObserver[0];

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    synchronized void addObserver(TaskObserver o) {
        TaskObserver[] next = java.util.Arrays.copyOf(observers, observers.length + 1);
        next[next.length - 1] = o;
        observers = next;
    }

    synchronized void removeObserver(TaskObserver o) {
        observers = java.util.Arrays.stream(observers).filter(x -> x != o).toArray(TaskObserver[]::new);
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
        Result r = run(task, timeout);
        if (observers.length > 0) {
            observe(task, r);
        }
        return r;
    }

    private Result run(Task task, Duration timeout) {
        long start = System.nanoTime();
        Object admitted = arrive(task, timeout, start, false, null);
        if (admitted instanceof Result r) {
            return Outcomes.stamp(null, null, r, start);
        }
        Execution x = (Execution) admitted;
        Verdict v = admission.attempt(x);
        if (v == null) {
            // parked: it starts on the pool when admitted; a synchronous caller waits for it here
            return x.future.join();
        }
        if (v instanceof Verdict.Admitted a) {
            return runner.run(x, a);
        }
        Verdict.Refused r = (Verdict.Refused) v;
        return Outcomes.stamp(x.slot, r.entry(), r.result(), start);
    }

    @Override
    public TaskHandle submit(Task task, Duration timeout) {
        return submit(task, timeout, null);
    }

    @Override
    public TaskHandle submit(Task task, Duration timeout, OutputSink output) {
        TaskHandle h = start(task, timeout, output);
        if (observers.length > 0) {
            h.result().whenComplete((r, failure) -> {
                if (r != null) {
                    observe(task, r);
                }
            });
        }
        return h;
    }

    private TaskHandle start(Task task, Duration timeout, OutputSink output) {
        long start = System.nanoTime();
        Object admitted = arrive(task, timeout, start, false, output);
        if (admitted instanceof Result r) {
            return new Answered(task.id(), CompletableFuture.completedFuture(Outcomes.stamp(null, null, r, start)));
        }
        Execution x = (Execution) admitted;
        Verdict v = admission.attempt(x);
        if (v != null) {
            runner.deliver(x, v);
        }
        return x;
    }

    @Override
    public Validation validate(String type, byte[] payload) {
        Task task = new Task("validate", type, payload, Map.of());
        Object admitted = arrive(task, null, System.nanoTime(), true, null);
        if (admitted instanceof Result r) {
            return invalid(r);
        }
        Execution x = (Execution) admitted;
        Verdict v = admission.attempt(x);
        if (v == null) {
            v = x.verdict.join(); // parked during an update: this caller's thread waits, bounded by absent_grace_ms
        }
        if (v instanceof Verdict.Admitted a) {
            a.entry().exit(); // prepared and dropped: a validation runs nothing
            return Validation.valid();
        }
        return invalid(((Verdict.Refused) v).result());
    }

    /** A refusal as a validation's answer; one without a rejection (an executor that cannot be activated) is an unknown type. */
    private static Validation invalid(Result r) {
        return Validation.invalid(r.rejection() == null ? Rejection.UNKNOWN_TYPE : r.rejection(), r.error());
    }

    /** A task answered before admission. */
    private record Answered(String taskId, CompletionStage<Result> result) implements TaskHandle {
        @Override
        public boolean cancel() {
            return false;
        }
    }

    /** Where the verdict of a parked task goes. */
    private void later(Execution x, Verdict v) {
        if (x.validateOnly) {
            x.verdict.complete(v);
        } else {
            runner.deliver(x, v);
        }
    }

    /**
     * The checks before admission: a task the registry cannot take at all is answered here (a
     * {@link Result}); else its {@link Execution}.
     */
    private Object arrive(Task task, Duration timeout, long start, boolean validateOnly, OutputSink output) {
        if (closed) {
            return Outcomes.shuttingDown();
        }
        String refusal = refused;
        if (refusal != null) {
            return Result.rejected(Rejection.POLICY_DENIED, "the worker runs no task: its " + refusal);
        }
        RegistrySettings s = table.settings();
        long timeoutNanos;
        if (timeout == null || timeout.isZero()) {
            timeoutNanos = s.defaultTimeoutNanos();
        } else if (timeout.isNegative()) {
            return Result.rejected(Rejection.INVALID_PAYLOAD, "timeout: must be positive, got " + timeout);
        } else {
            timeoutNanos = timeout.toNanos();
        }
        String off = switches.off(task.type());
        if (off != null) {
            unknownTypes.increment(); // answered as a type nobody serves, and counted so
            return Result.rejected(Rejection.UNKNOWN_TYPE, off);
        }
        TypeSlot slot = table.get(task.type());
        if (slot == null) {
            unknownTypes.increment();
            return Result.rejected(Rejection.UNKNOWN_TYPE, table.unknownType(task.type()));
        }
        String drained = slot.drainedBy;
        if (drained != null && !validateOnly) {
            slot.stats.record(Status.REJECTED, Rejection.DRAINED, 0); // answered before it has an execution: counted here
            return Result.rejected(Rejection.DRAINED, drained);
        }
        long deadline = start + Math.min(timeoutNanos, s.maxTimeoutNanos());
        return new Execution(task, slot, start, timeoutNanos, deadline, validateOnly, output, this::later);
    }

    // -- what it serves

    @Override
    public List<ExecutorInfo> capabilities() {
        List<ExecutorInfo> out = new ArrayList<>();
        for (TypeSlot slot : table.slots()) {
            ServiceEntry[] entries = slot.entries();
            for (int i = 0; i < entries.length; i++) {
                ServiceEntry e = entries[i];
                Health health = i == 0 ? healthOf(slot, e) : null;
                out.add(new Info(e.type, e.bundleName, e.bundleVersion, e.serviceId, e.ranking, i == 0, health,
                        e.inFlight(), slot.stats.snapshot()));
            }
        }
        return out;
    }

    @Override
    public Map<String, Health> health() {
        Map<String, Health> out = new TreeMap<>();
        for (TypeSlot slot : table.slots()) {
            ServiceEntry[] entries = slot.entries();
            if (entries.length > 0) {
                out.put(slot.type, healthOf(slot, entries[0]));
            }
        }
        return out;
    }

    @Override
    public int drain(String type, String reason) {
        TypeSlot slot = table.get(type);
        if (slot == null) {
            return -1;
        }
        slot.drainedBy = "type '" + type + "' is drained for maintenance" + (reason == null || reason.isBlank() ? "" : " (" + reason
                + ")") + "; it takes no new task until an operator runs executor:resume " + type + " (send it elsewhere meanwhile)";
        LOG.info("Type '{}' drained{}: new tasks are refused, {} running finish", type,
                reason == null || reason.isBlank() ? "" : " (" + reason + ")", inFlight(slot));
        return inFlight(slot);
    }

    @Override
    public boolean resume(String type) {
        TypeSlot slot = table.get(type);
        if (slot == null || slot.drainedBy == null) {
            return false;
        }
        slot.drainedBy = null;
        LOG.info("Type '{}' resumed: it takes tasks again", type);
        return true;
    }

    @Override
    public Map<String, String> drained() {
        Map<String, String> out = new TreeMap<>();
        for (TypeSlot slot : table.slots()) {
            String why = slot.drainedBy;
            if (why != null) {
                out.put(slot.type, why);
            }
        }
        return out;
    }

    @Override
    public Map<String, TypeState> typeStates(double[] bounds) {
        Map<String, TypeState> out = new TreeMap<>();
        for (TypeSlot slot : table.slots()) {
            out.put(slot.type, new TypeState(inFlight(slot), slot.parkedForPermit() + slot.parkedForArrival(), slot.limit,
                    slot.entries().length, slot.drainedBy != null, slot.stats.metrics(bounds)));
        }
        return out;
    }

    @Override
    public long unknownTypeRejections() {
        return unknownTypes.sum();
    }

    private static int inFlight(TypeSlot slot) {
        int n = 0;
        for (ServiceEntry e : slot.entries()) {
            n += e.inFlight();
        }
        return n;
    }

    @Override
    public Map<String, ExecutorStats> stats() {
        Map<String, ExecutorStats> out = new TreeMap<>();
        table.slots().forEach(s -> out.put(s.type, s.stats.snapshot()));
        return out;
    }

    @Override
    public Map<String, Integer> limits() {
        Map<String, Integer> out = new TreeMap<>();
        table.slots().forEach(s -> out.put(s.type, s.limit));
        return out;
    }

    /**
     * A type's health: the executor's own, unless the registry's configuration was refused (nothing
     * runs) or stopped tasks did not come back from it.
     */
    private Health healthOf(TypeSlot slot, ServiceEntry e) {
        String refusal = refused;
        if (refusal != null) {
            return Health.unhealthy("the worker runs no task: its " + refusal);
        }
        String off = switches.off(slot.type);
        if (off != null) {
            return Health.unhealthy(off);
        }
        String drained = slot.drainedBy;
        if (drained != null) {
            return Health.unhealthy(drained);
        }
        Health h = executorHealth(e);
        Map<String, String> stuck = slot.stuck;
        if (stuck.isEmpty()) {
            return h;
        }
        return Health.unhealthy(stuck.size() + " stopped task(s) still running in the executor (task id = thread: "
                + new TreeMap<>(stuck) + "); see the log for their stacks. " + (h.isHealthy() ? "" : h.message()));
    }

    private static Health executorHealth(ServiceEntry e) {
        Executor executor = e.service();
        if (executor == null) {
            return Health.unhealthy(Admission.notActivated(e));
        }
        try {
            Health h = executor.health();
            return h == null ? Health.unhealthy("the health check returned nothing") : h;
        } catch (RuntimeException | LinkageError ex) {
            return Health.unhealthy("the health check failed: " + ex);
        }
    }

    private record Info(String type, String bundleSymbolicName, String bundleVersion, long serviceId, int ranking,
            boolean isActive, Health health, int inFlight, ExecutorStats stats) implements ExecutorInfo {
        @Override
        public String toString() {
            return type + " " + bundleSymbolicName + "/" + bundleVersion + (isActive ? "" : " (standby)");
        }
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
            table.add(entry);
            return entry;
        }

        @Override
        public void modifiedService(ServiceReference<Executor> ref, ServiceEntry entry) {
            entry.ranking = ranking(ref);
            entry.maxTimeoutNanos = maxTimeout(ref);
            entry.maxConcurrency = maxConcurrency(ref);
            table.modified(entry);
        }

        @Override
        public void removedService(ServiceReference<Executor> ref, ServiceEntry entry) {
            table.remove(entry);
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
