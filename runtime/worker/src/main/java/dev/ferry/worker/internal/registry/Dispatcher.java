package dev.ferry.worker.internal.registry;

import dev.ferry.executor.api.Executor;
import dev.ferry.executor.api.ExecutorInfo;
import dev.ferry.executor.api.ExecutorRegistry;
import dev.ferry.executor.api.Health;
import dev.ferry.executor.api.InvalidPayloadException;
import dev.ferry.executor.api.Rejection;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;
import dev.ferry.executor.api.TaskHandle;
import dev.ferry.executor.api.Validation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's engine, free of OSGi: the services by type, selection, validation, concurrency
 * permits, deadlines, drain and statistics. {@link OsgiExecutorRegistry} feeds it the services
 * the framework registers.
 */
final class Dispatcher implements ExecutorRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    /** How long a service that yields no object may take to show it is leaving (an update). */
    private static final long REMOVAL_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final Map<String, TypeSlot> slots = new ConcurrentHashMap<>();
    private final Object arrivals = new Object();
    private final Deadlines deadlines = new Deadlines("ferry-deadlines");
    private final ThreadPoolExecutor pool;
    private volatile RegistrySettings settings;
    private volatile boolean closed;
    /** Set when the registry's configuration was refused at start: no task runs, each is told why. */
    private volatile String refused;

    Dispatcher(RegistrySettings settings) {
        this.settings = settings;
        AtomicInteger n = new AtomicInteger();
        // Unbounded in threads but not in work: every task holds a permit of its type before it
        // is handed over, so the pool never holds more tasks than the sum of the type limits.
        this.pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "ferry-task-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    void update(RegistrySettings next) {
        settings = next;
        for (TypeSlot slot : slots.values()) {
            applyLimit(slot);
        }
    }

    /** A type's limit: the registry's for it, or the serving executor's own when that is lower. */
    private void applyLimit(TypeSlot slot) {
        ServiceEntry[] entries = slot.entries();
        int own = entries.length > 0 ? entries[0].maxConcurrency : Integer.MAX_VALUE;
        slot.setLimit(Math.min(settings.concurrencyOf(slot.type), own));
    }

    /** How long a stopped task's thread may stay in its executor before it is reported (tests shorten it). */
    void stuckAfter(Duration d) {
        deadlines.stuckNanos = d.toNanos();
    }

    void refuse(String reason) {
        refused = reason;
    }

    RegistrySettings settings() {
        return settings;
    }

    // -- services coming and going

    void add(ServiceEntry entry) {
        TypeSlot slot = slot(entry.type);
        slot.add(entry);
        applyLimit(slot);
        synchronized (arrivals) {
            arrivals.notifyAll();
        }
        LOG.info("Executor for type '{}' is available: {}", entry.type, entry);
    }

    void modified(ServiceEntry entry) {
        TypeSlot slot = slot(entry.type);
        slot.resort();
        applyLimit(slot);
    }

    /**
     * Removes a service: new tasks go elsewhere (or wait for the type to come back), running tasks
     * get a bounded drain before the service object is released.
     */
    void remove(ServiceEntry entry) {
        TypeSlot slot = slot(entry.type);
        slot.drainStarted();
        try {
            slot.remove(entry);
            applyLimit(slot);
            int left = entry.drain(settings.drainTimeoutNanos());
            if (left > 0) {
                LOG.warn("Executor {} went away with {} task(s) still running after the drain timeout;"
                        + " raise drain_timeout_ms in {} to let long tasks finish", entry, left, RegistryConfig.PID);
            } else {
                LOG.info("Executor for type '{}' removed: {}", entry.type, entry);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            slot.drainEnded();
        }
    }

    private TypeSlot slot(String type) {
        return slots.computeIfAbsent(type, t -> new TypeSlot(t, settings.concurrencyOf(t)));
    }

    // -- ExecutorRegistry

    @Override
    public Result execute(Task task, Duration timeout) {
        long start = System.nanoTime();
        Object prepared = prepare(task, timeout, start);
        if (prepared instanceof Result) {
            return (Result) prepared;
        }
        Prepared p = (Prepared) prepared;
        Execution execution = new Execution(task.id(), start, p.deadlineNanos, false, p.slot, p.entry.executedBy);
        deadlines.add(execution);
        return run(p, task, execution);
    }

    @Override
    public TaskHandle submit(Task task, Duration timeout) {
        long start = System.nanoTime();
        Object prepared = prepare(task, timeout, start);
        if (prepared instanceof Result) {
            Execution done = new Execution(task.id(), start, start, true, null, null);
            done.finish();
            done.future.complete((Result) prepared);
            return done;
        }
        Prepared p = (Prepared) prepared;
        Execution execution = new Execution(task.id(), start, p.deadlineNanos, true, p.slot, p.entry.executedBy);
        deadlines.add(execution);
        try {
            pool.execute(() -> {
                try {
                    execution.future.complete(run(p, task, execution));
                } catch (Throwable t) {
                    // run() reports every exception as a result; this is an Error (out of memory…):
                    // the caller still gets an answer, then the error goes on its way
                    execution.future.complete(Result.error("the task failed with " + t));
                    throw t;
                }
            });
        } catch (RejectedExecutionException e) {
            deadlines.remove(execution);
            p.release();
            execution.finish();
            execution.future.complete(finish(p.slot, null, Result.rejected(Rejection.SHUTTING_DOWN,
                    "the worker is shutting down; send the task to another worker"), start));
        }
        return execution;
    }

    @Override
    public Validation validate(String type, byte[] payload) {
        TypeSlot slot = slots.get(type);
        Serving serving = slot == null ? null : serving(slot, settings, System.nanoTime() + settings.absentGraceNanos());
        if (serving == null) {
            return Validation.invalid(Rejection.UNKNOWN_TYPE, unknownType(type));
        }
        if (serving.executor == null) {
            return Validation.invalid(Rejection.UNKNOWN_TYPE, notActivated(serving.entry));
        }
        try {
            String problem = payloadProblem(serving, payload, "(validate only)");
            return problem == null ? Validation.valid() : Validation.invalid(Rejection.INVALID_PAYLOAD, problem);
        } finally {
            serving.entry.exit();
        }
    }

    @Override
    public List<ExecutorInfo> capabilities() {
        List<ExecutorInfo> out = new ArrayList<>();
        for (TypeSlot slot : new TreeMap<>(slots).values()) {
            ServiceEntry[] entries = slot.entries();
            for (int i = 0; i < entries.length; i++) {
                ServiceEntry e = entries[i];
                Health health = i == 0 ? withStuck(slot, healthOf(e)) : null;
                out.add(new ExecutorInfo(e.type, e.bundleName, e.bundleVersion, e.serviceId, e.ranking, i == 0, health,
                        e.inFlight(), slot.stats()));
            }
        }
        return out;
    }

    @Override
    public Map<String, Health> health() {
        Map<String, Health> out = new TreeMap<>();
        for (TypeSlot slot : slots.values()) {
            ServiceEntry[] entries = slot.entries();
            if (entries.length > 0) {
                out.put(slot.type, withStuck(slot, healthOf(entries[0])));
            }
        }
        return out;
    }

    /** A type whose stopped tasks did not return from the executor is not healthy, whatever the executor says. */
    private static Health withStuck(TypeSlot slot, Health h) {
        Map<String, String> stuck = slot.stuck;
        if (stuck.isEmpty()) {
            return h;
        }
        return Health.unhealthy(stuck.size() + " stopped task(s) still running in the executor (task id = thread: "
                + new TreeMap<>(stuck) + "); see the log for their stacks. " + (h.message() == null ? "" : h.message()));
    }

    /** Counters of every type seen since start, including types that have no service now. */
    Map<String, dev.ferry.executor.api.ExecutorStats> stats() {
        Map<String, dev.ferry.executor.api.ExecutorStats> out = new TreeMap<>();
        slots.values().forEach(s -> out.put(s.type, s.stats()));
        return out;
    }

    /** The limit of each type seen since start. */
    Map<String, Integer> limits() {
        Map<String, Integer> out = new TreeMap<>();
        slots.values().forEach(s -> out.put(s.type, s.limit));
        return out;
    }

    void close() {
        closed = true;
        pool.shutdown();
        deadlines.close();
    }

    // -- the task path

    /** What a task needs to run once admitted: its service, its permit and its deadline. */
    private static final class Prepared {
        final TypeSlot slot;
        final ServiceEntry entry;
        final Executor executor;
        final Semaphore permits;
        final long deadlineNanos;

        Prepared(TypeSlot slot, ServiceEntry entry, Executor executor, Semaphore permits, long deadlineNanos) {
            this.slot = slot;
            this.entry = entry;
            this.executor = executor;
            this.permits = permits;
            this.deadlineNanos = deadlineNanos;
        }

        void release() {
            permits.release();
            entry.exit();
        }
    }

    /** Admits a task: a {@link Prepared} holding a permit and an entry, or a {@link Result} saying why not. */
    private Object prepare(Task task, Duration timeout, long start) {
        RegistrySettings s = settings;
        if (closed) {
            return Result.rejected(Rejection.SHUTTING_DOWN, "the worker is shutting down; send the task to another worker");
        }
        String refusal = refused;
        if (refusal != null) {
            return Result.rejected(Rejection.POLICY_DENIED, "the worker runs no task: its " + refusal);
        }
        long timeoutNanos;
        if (timeout == null || timeout.isZero()) {
            timeoutNanos = s.defaultTimeoutNanos();
        } else if (timeout.isNegative()) {
            return Result.rejected(Rejection.INVALID_PAYLOAD, "timeout: must be positive, got " + timeout);
        } else {
            timeoutNanos = timeout.toNanos();
        }
        TypeSlot slot = slots.get(task.type());
        if (slot == null) {
            return Result.rejected(Rejection.UNKNOWN_TYPE, unknownType(task.type()));
        }
        long waitUntil = start + Math.min(timeoutNanos, s.absentGraceNanos());
        Serving serving = serving(slot, s, waitUntil);
        if (serving == null) {
            return finish(slot, null, Result.rejected(Rejection.UNKNOWN_TYPE, unknownType(task.type())), start);
        }
        if (serving.executor == null) {
            return finish(slot, serving.entry, Result.error(notActivated(serving.entry)), start);
        }
        ServiceEntry entry = serving.entry;
        Executor executor = serving.executor;
        boolean admitted = false;
        try {
            String problem = payloadProblem(serving, task.payload(), task.id());
            if (problem != null) {
                return finish(slot, entry, Result.rejected(Rejection.INVALID_PAYLOAD, problem), start);
            }
            Semaphore permits = slot.permits;
            if (!permits.tryAcquire() && !(s.queueWaitNanos() > 0 && acquire(permits, s.queueWaitNanos()))) {
                return finish(slot, entry, Result.rejected(Rejection.OVER_CAPACITY, String.format(
                        "type '%s' is over capacity: %d task(s) running, its limit; retry later, or raise"
                                + " max_concurrency / type_concurrency in %s or the executor's own %s", task.type(),
                        slot.limit, RegistryConfig.PID, Executor.MAX_CONCURRENCY)),
                        start);
            }
            long effective = Math.min(timeoutNanos, Math.min(s.maxTimeoutNanos(), entry.maxTimeoutNanos));
            admitted = true;
            return new Prepared(slot, entry, executor, permits, start + effective);
        } finally {
            if (!admitted) {
                entry.exit();
            }
        }
    }

    private static boolean acquire(Semaphore permits, long nanos) {
        try {
            return permits.tryAcquire(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private Result run(Prepared p, Task task, Execution execution) {
        Result result;
        boolean normal;
        execution.enter(Thread.currentThread());
        try {
            // a submitted task cancelled (or timed out) before a thread picked it up never starts
            result = execution.state() != Execution.RUNNING
                    ? Result.builder(Status.CANCELLED).exitCode(-1).build()
                    : p.executor.execute(task, execution);
            if (result == null) {
                result = Result.error("executor " + p.entry.executedBy + " returned no result (a bug in that bundle)");
            }
        } catch (Exception | LinkageError e) {
            // LinkageError: the executor's bundle was refreshed under it; the task is reported, the worker goes on.
            if (execution.state() == Execution.RUNNING) {
                LOG.warn("Executor {} failed on task {}", p.entry, task.id(), e);
            }
            result = Result.error("executor " + p.entry.executedBy + " failed: " + e);
        } finally {
            normal = execution.finish();
            deadlines.remove(execution);
            p.release();
        }
        if (!normal) {
            result = result.toBuilder()
                    .status(execution.stopReason())
                    .exitCode(result.exitCode() == 0 ? -1 : result.exitCode())
                    .error(execution.stopMessage)
                    .build();
        }
        return finish(p.slot, p.entry, result, execution.startNanos);
    }

    /** Stamps timing and origin onto a result and counts it. */
    private static Result finish(TypeSlot slot, ServiceEntry entry, Result result, long start) {
        long micros = (System.nanoTime() - start) / 1000;
        slot.record(result.status(), micros);
        Result.Builder b = result.toBuilder().metadata(Result.DURATION_MICROS, Long.toString(micros));
        if (entry != null) {
            b.metadata(Result.EXECUTED_BY, entry.executedBy);
        }
        return b.build();
    }

    /** A type's serving service: entered (the caller exits it), or, with no executor, one that cannot be activated. */
    private static final class Serving {
        final ServiceEntry entry;
        final Executor executor;

        Serving(ServiceEntry entry, Executor executor) {
            this.entry = entry;
            this.executor = executor;
        }
    }

    /**
     * The type's serving service and its object, waiting as {@link #enter} does; null when the type
     * has none. A service that yields no object is either being disposed right now (an update: the
     * entry is about to be removed, so select again) or failed to activate (returned, not entered).
     */
    private Serving serving(TypeSlot slot, RegistrySettings s, long waitUntil) {
        for (;;) {
            ServiceEntry entry = enter(slot, s, waitUntil);
            if (entry == null) {
                return null;
            }
            Executor executor = entry.service();
            if (executor != null) {
                return new Serving(entry, executor);
            }
            entry.exit();
            if (!entry.awaitRemoval(REMOVAL_WAIT_NANOS)) {
                return new Serving(entry, null);
            }
        }
    }

    /** The executor's verdict on a payload: null when it is valid, else what is wrong. */
    private static String payloadProblem(Serving serving, byte[] payload, String taskId) {
        try {
            serving.executor.validate(payload);
            return null;
        } catch (InvalidPayloadException e) {
            return e.getMessage();
        } catch (RuntimeException e) {
            LOG.warn("Executor {} failed to validate the payload of task {}", serving.entry, taskId, e);
            return "the executor failed to validate the payload: " + e;
        }
    }

    /**
     * Enters the type's first live service. When the type has just lost its last service (an
     * update in progress), waits for one to arrive until {@code waitUntil}.
     */
    private ServiceEntry enter(TypeSlot slot, RegistrySettings s, long waitUntil) {
        boolean mayWait = false;
        for (boolean first = true;; first = false) {
            for (ServiceEntry e : slot.entries()) {
                if (e.enter()) {
                    return e;
                }
            }
            long now = System.nanoTime();
            if (first) {
                mayWait = slot.draining > 0 || (slot.departed && now - slot.departedAt < s.absentGraceNanos());
            }
            long left = waitUntil - now;
            if (!mayWait || left <= 0) {
                return null;
            }
            synchronized (arrivals) {
                if (slot.entries().length == 0) {
                    try {
                        arrivals.wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return null;
                    }
                }
            }
        }
    }

    private static Health healthOf(ServiceEntry e) {
        Executor executor = e.service();
        if (executor == null) {
            return Health.unhealthy(notActivated(e));
        }
        try {
            Health h = executor.health();
            return h == null ? Health.unhealthy("the health check returned nothing") : h;
        } catch (RuntimeException ex) {
            return Health.unhealthy("the health check failed: " + ex);
        }
    }

    private String unknownType(String type) {
        String served = slots.values().stream().filter(s -> s.entries().length > 0).map(s -> s.type).sorted()
                .collect(Collectors.joining(", "));
        return "no executor serves type '" + type + "'; types served now: " + (served.isEmpty() ? "none" : served)
                + ". Install the bundle that provides it, or fix the type.";
    }

    private static String notActivated(ServiceEntry e) {
        return "executor " + e + " could not be activated; see the worker log for its error";
    }
}
