package dev.ferry.worker.internal.registry;

import dev.ferry.executor.api.Executor;
import dev.ferry.executor.api.InvalidPayloadException;
import dev.ferry.executor.api.OutputSink;
import dev.ferry.executor.api.Prepared;
import dev.ferry.executor.api.Rejection;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;
import dev.ferry.executor.api.TaskHandle;
import dev.ferry.support.Configured;
import dev.ferry.support.HandOffPool;
import dev.ferry.support.Threads;
import dev.ferry.support.Ticker;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of how tasks run: the checks at arrival, admission (select the service, prepare the
 * task, take a permit), the tasks parked for a permit or for their type's services, the task threads,
 * and delivery of every answer. Every change that can let a parked task go on — a permit freed, a
 * service arriving or leaving, a limit raised, a wait expiring, the worker closing — comes through
 * this class and ends in {@link #deliver}, so a task's path reads top to bottom here:
 *
 * <pre>
 * submit/execute/validate → gate (closed, refused, switched off, unknown, drained)
 *   → admit → Admitted (run now) | Queued (a {@link Parked} waits, holding no thread) | Rejected
 *   parked → permit handed over ({@link #release}) | services changed ({@link #servicesChanged}) | expired
 *   → deliver → {@link #runHere} on a task thread → the answer, stamped by {@link Outcomes}
 * </pre>
 */
final class Dispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    /** How long a service that yields no object may take to show it is leaving (an update). */
    static final long REMOVAL_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /**
     * The most task threads: every running task holds a permit of its type, so the sum of the type limits
     * bounds them first; this bound is the last guard, and a task refused by it is told so.
     */
    static final int MAX_TASK_THREADS = 4096;

    /** What admission decided for a task. */
    sealed interface Admission permits Admitted, Queued, Rejected {}

    /**
     * Admitted: the task holds its service (entered) and, unless it is only validated, a permit of its
     * type; whoever receives it must run it or give both back.
     */
    record Admitted(ServiceEntry entry, Prepared prepared) implements Admission {}

    /** Parked, holding no thread: its admission ends later, in {@link #deliver}. */
    enum Queued implements Admission {
        QUEUED
    }

    /** Refused, holding nothing; {@code result} is not stamped yet, {@code entry} is the service that refused it or null. */
    record Rejected(Result result, ServiceEntry entry) implements Admission {}

    private final ServiceTable table = new ServiceTable();
    private final Ticker ticker;
    private final Outcomes outcomes;
    private final Deadlines watchdog;
    private final Switches switches;
    /** Task threads: a submitted task is handed straight to an idle one (see HandOffPool), so it starts at once. */
    private final HandOffPool tasks = Threads.handOff("ferry-task", MAX_TASK_THREADS, 60);
    /** Tasks refused for a type nobody serves (validations included). */
    private final LongAdder unknownTypes = new LongAdder();
    /** The registry's configuration; refused at start, it has none: no task runs, each is told why. */
    private final Configured<RegistrySettings> config;

    private volatile boolean closed;

    Dispatcher(Configured<RegistrySettings> config, Switches switches, Ticker ticker) {
        this.config = config;
        this.switches = switches;
        this.ticker = ticker;
        this.outcomes = new Outcomes(ticker);
        this.watchdog = new Deadlines(ticker);
    }

    // -- the way in

    Result execute(Task task, Duration timeout) {
        long start = ticker.nanos();
        TypeSlot slot = table.get(task.type());
        Optional<Result> refusal = gate(task, slot, timeout, false);
        if (refusal.isPresent()) {
            return outcomes.stamp(null, null, refusal.get(), start);
        }
        TaskRun run = newRun(task, slot, timeout, start, false, null);
        Admission a = admit(run, false);
        if (a instanceof Admitted admitted) {
            return runHere(run, admitted); // on the caller's thread: no hand-off
        }
        deliver(run, a);
        return run.future.join(); // parked: it starts on a task thread when admitted; this caller waits for it
    }

    TaskHandle submit(Task task, Duration timeout, OutputSink output) {
        long start = ticker.nanos();
        TypeSlot slot = table.get(task.type());
        Optional<Result> refusal = gate(task, slot, timeout, false);
        if (refusal.isPresent()) {
            return new Answered(
                    task.id(), CompletableFuture.completedFuture(outcomes.stamp(null, null, refusal.get(), start)));
        }
        TaskRun run = newRun(task, slot, timeout, start, false, output);
        deliver(run, admit(run, false));
        return run;
    }

    /** @return {@link Outcomes#VALID} when the task would be admitted, else the unstamped refusal */
    Result validate(Task task) {
        TypeSlot slot = table.get(task.type());
        Optional<Result> refusal = gate(task, slot, null, true);
        if (refusal.isPresent()) {
            return refusal.get();
        }
        TaskRun run = newRun(task, slot, null, ticker.nanos(), true, null);
        deliver(run, admit(run, false));
        return run.future.join(); // a parked validation (its type mid-update) waits here, bounded by absent_grace_ms
    }

    /** The checks before admission: a task the registry cannot take at all is answered here. */
    private Optional<Result> gate(Task task, TypeSlot slot, Duration timeout, boolean validateOnly) {
        if (closed) {
            return Optional.of(outcomes.shuttingDown());
        }
        if (config.get() == null) {
            return Optional.of(outcomes.notServing(config.notServing()));
        }
        if (timeout != null && timeout.isNegative()) {
            return Optional.of(outcomes.badTimeout(timeout));
        }
        Optional<String> off = switches.off(task.type());
        if (off.isPresent()) {
            unknownTypes.increment(); // answered as a type nobody serves, and counted so
            return Optional.of(outcomes.unknownType(off.get()));
        }
        if (slot == null) {
            unknownTypes.increment();
            return Optional.of(outcomes.unknownType(table.unknownType(task.type(), switches)));
        }
        Optional<String> drained = slot.drainedBy();
        if (drained.isPresent() && !validateOnly) {
            Result r = outcomes.drained(drained.get());
            slot.stats.record(Status.REJECTED, Rejection.DRAINED, 0); // answered before it has a run: counted here
            return Optional.of(r);
        }
        return Optional.empty();
    }

    /** @param slot the task's type, as the gate found it (a type's slot, once made, stays) */
    private TaskRun newRun(
            Task task, TypeSlot slot, Duration timeout, long start, boolean validateOnly, OutputSink output) {
        RegistrySettings s = settings();
        long timeoutNanos = timeout == null || timeout.isZero() ? s.defaultTimeoutNanos() : timeout.toNanos();
        long deadline = start + Math.min(timeoutNanos, s.maxTimeoutNanos());
        return new TaskRun(task, slot, outcomes, start, timeoutNanos, deadline, validateOnly, output);
    }

    // -- admission

    /**
     * Tries to admit a task now: selects the serving service, prepares the task (the one parse of its
     * payload), takes a permit. Parks it when it must wait.
     *
     * @param sawInactive whether a service that yields no object was seen before (the second time it is reported)
     */
    private Admission admit(TaskRun run, boolean sawInactive) {
        RegistrySettings s = settings();
        TypeSlot slot = run.slot;
        ServiceEntry entry;
        Executor executor;
        for (; ; ) {
            entry = slot.enterFirst();
            long now = ticker.nanos();
            if (entry == null) {
                long until = run.startNanos + Math.min(run.timeoutNanos, s.absentGraceNanos());
                if (slot.mayComeBack(now, s.absentGraceNanos()) && until - now > 0) {
                    if (parkForServices(
                            new Parked(Parked.Kind.ARRIVAL, run, null, null, until, sawInactive),
                            () -> slot.entries().length > 0)) {
                        return Queued.QUEUED;
                    }
                    continue; // one arrived while parking: its wake-up may have missed this task
                }
                return new Rejected(outcomes.unknownType(table.unknownType(run.task.type(), switches)), null);
            }
            executor = entry.service();
            if (executor != null) {
                break;
            }
            entry.exit();
            if (entry.isRemoved()) {
                continue;
            }
            if (sawInactive) {
                return new Rejected(outcomes.notActivated(entry), entry);
            }
            // Either its component is being disposed right now (an update: the service is about to
            // leave, then select again) or it failed to activate: wait briefly to see which.
            sawInactive = true;
            if (parkForServices(
                    new Parked(Parked.Kind.DEPARTURE, run, entry, null, now + REMOVAL_WAIT_NANOS, true),
                    entry::isRemoved)) {
                return Queued.QUEUED;
            }
        }
        run.admittedTo(entry);
        Prepared prepared;
        try {
            prepared = executor.prepare(run.task);
            if (prepared == null) {
                entry.exit();
                return new Rejected(outcomes.preparedNothing(entry), entry);
            }
        } catch (InvalidPayloadException e) {
            entry.exit();
            return new Rejected(outcomes.invalidPayload(e.getMessage()), entry);
        } catch (RuntimeException | LinkageError e) {
            entry.exit();
            LOG.warn("Executor {} failed to prepare task {}", entry, run.task.id(), e);
            return new Rejected(outcomes.prepareFailed(e), entry);
        }
        if (run.validateOnly || slot.tryAcquire()) {
            return new Admitted(entry, prepared);
        }
        long wait = s.queueWaitNanos();
        if (wait > 0) {
            long until = Math.min(run.startNanos + wait, run.deadlineNanos());
            Parked p = new Parked(Parked.Kind.PERMIT, run, entry, prepared, until, sawInactive);
            if (slot.acquireOrPark(p)) {
                return new Admitted(entry, prepared);
            }
            watchdog.watch(p);
            return Queued.QUEUED;
        }
        entry.exit();
        return new Rejected(outcomes.overCapacity(slot), entry);
    }

    /**
     * Parks a task until its type's services change (or its time is up), unless {@code changed} shows they
     * already did while it was being parked: a wake-up made before it was in place would miss it.
     *
     * @return true when parked; false when the caller must select again now
     */
    private boolean parkForServices(Parked p, BooleanSupplier changed) {
        p.run.slot.parkForArrival(p);
        watchdog.watch(p);
        if (changed.getAsBoolean() && p.run.slot.unparkArrival(p) && p.settle()) {
            watchdog.unwatch(p);
            return false;
        }
        return true;
    }

    // -- where a parked task goes on

    /** Gives a permit back: to the first parked task that still wants it, else to the type's pool. */
    private void release(TypeSlot slot) {
        Parked next;
        while ((next = slot.handOver()) != null) {
            if (!next.settle()) {
                continue; // it expired meanwhile: the permit goes to the next one
            }
            watchdog.unwatch(next);
            TaskRun run = next.run;
            if (run.isLive()) {
                deliver(run, new Admitted(next.entry, next.prepared));
                return;
            }
            next.entry.exit(); // cancelled while it waited: the permit goes to the next one
            deliver(run, new Rejected(outcomes.stopped(run, null), next.entry));
        }
    }

    /** The type's services changed: each task parked for them selects again, on a task thread (never the framework's). */
    private void servicesChanged(TypeSlot slot) {
        for (Parked p : slot.takeArrivals()) {
            if (!p.settle()) {
                continue;
            }
            watchdog.unwatch(p);
            TaskRun run = p.run;
            try {
                tasks.execute(() -> {
                    if (!run.isLive()) {
                        deliver(run, new Rejected(outcomes.stopped(run, null), null));
                        return;
                    }
                    Admission a = admit(run, p.sawInactive);
                    if (a instanceof Admitted admitted && !run.validateOnly) {
                        run.future.complete(runHere(run, admitted)); // already on a task thread
                    } else {
                        deliver(run, a);
                    }
                });
            } catch (RejectedExecutionException e) {
                deliver(
                        run,
                        new Rejected(closed ? outcomes.shuttingDown() : outcomes.noThread(MAX_TASK_THREADS), null));
            }
        }
    }

    /** A parked task's time is up (or it was cancelled while it waited). */
    private void expired(Parked p) {
        TaskRun run = p.run;
        if (p.kind == Parked.Kind.PERMIT) {
            p.entry.exit();
        }
        Result r;
        if (!run.isLive()) {
            r = outcomes.stopped(run, null);
        } else if (p.kind == Parked.Kind.PERMIT) {
            r = outcomes.overCapacity(run.slot);
        } else if (p.kind == Parked.Kind.DEPARTURE) {
            r = outcomes.notActivated(p.entry);
        } else {
            r = outcomes.unknownType(table.unknownType(run.task.type(), switches));
        }
        deliver(run, new Rejected(r, p.entry));
    }

    /** Where every admission ends: an admitted task starts on a task thread, a refused one is answered. */
    private void deliver(TaskRun run, Admission a) {
        if (a instanceof Admitted admitted) {
            if (run.validateOnly) {
                admitted.entry().exit(); // prepared and dropped: a validation runs nothing
                run.future.complete(Outcomes.VALID);
            } else {
                start(run, admitted);
            }
        } else if (a instanceof Rejected r) {
            // a validation's refusal is its answer, not a task's: not stamped, not counted
            run.future.complete(
                    run.validateOnly ? r.result() : outcomes.stamp(run.slot, r.entry(), r.result(), run.startNanos));
        }
        // Queued: its wait ends in release, servicesChanged or expired, which come back here
    }

    // -- running

    private void start(TaskRun run, Admitted a) {
        try {
            tasks.execute(() -> {
                try {
                    run.future.complete(runHere(run, a));
                } catch (Throwable t) {
                    // runHere reports every exception as a result; this is an Error (out of memory…):
                    // the caller still gets an answer, then the error goes on its way
                    run.future.complete(outcomes.threadFailed(t));
                    throw t;
                }
            });
        } catch (RejectedExecutionException e) {
            release(run.slot);
            a.entry().exit();
            Result r = closed ? outcomes.shuttingDown() : outcomes.noThread(MAX_TASK_THREADS);
            run.future.complete(outcomes.stamp(run.slot, a.entry(), r, run.startNanos));
        }
    }

    /** Runs an admitted task on the calling thread, under the watchdog; gives back its permit and service after. */
    private Result runHere(TaskRun run, Admitted a) {
        ServiceEntry entry = a.entry();
        watchdog.watch(run);
        Result result;
        boolean normal;
        run.enter(Thread.currentThread());
        try {
            // a submitted task cancelled (or timed out) before a thread picked it up never starts
            if (run.isLive()) {
                if (run.live.isPresent()) { // not ifPresent: its capturing lambda would cost every task an allocation
                    started(run.live.get(), run, entry);
                }
                result = a.prepared().execute(run);
            } else {
                result = null;
            }
            if (result == null && run.isLive()) {
                result = outcomes.returnedNothing(entry);
            }
            if (run.live.isPresent() && result != null && result.output().length > 0 && run.isLive()) {
                // an executor that returned its output instead of writing it live: it goes to the sink as one write
                byte[] output = result.output();
                run.live.get().write(OutputSink.Channel.OUTPUT, output, 0, output.length);
                result = outcomes.withoutOutput(result);
            }
        } catch (InterruptedException e) {
            if (run.isLive()) {
                LOG.warn("Executor {} was interrupted on task {} that nobody stopped", entry, run.task.id(), e);
                result = outcomes.executorFailed(entry, e);
            } else {
                // how an executor answers a stop: its word, logged and kept under ferry.executor_error as any other
                result = outcomes.interruptedAtStop(e);
            }
        } catch (Exception | LinkageError e) {
            // LinkageError: the executor's bundle was refreshed under it; the task is reported, the worker goes on.
            if (run.isLive()) {
                LOG.warn("Executor {} failed on task {}", entry, run.task.id(), e);
            }
            result = outcomes.executorFailed(entry, e);
        } finally {
            normal = run.finish();
            watchdog.unwatch(run);
            release(run.slot);
            entry.exit();
        }
        if (!normal) {
            if (result != null && !result.error().isEmpty()) {
                // the caller was answered at the stop, before this came back: the executor's own word goes to the log
                LOG.info(
                        "Task {} was stopped ({}); afterwards executor {} answered: {} {}",
                        run.task.id(),
                        run.stopMessage(),
                        entry.executedBy,
                        result.status(),
                        result.error());
            }
            result = outcomes.stopped(run, result);
        }
        return outcomes.stamp(run.slot, entry, result, run.startNanos);
    }

    private static void started(OutputSink sink, TaskRun run, ServiceEntry entry) {
        try {
            sink.started(run.task.id(), entry.executedBy);
        } catch (RuntimeException e) {
            LOG.warn("The output sink of task {} failed when the task started; the task runs on", run.task.id(), e);
        }
    }

    // -- services coming and going

    void serviceAdded(ServiceEntry entry) {
        TypeSlot slot = table.getOrAdd(entry.type, x -> settings().concurrencyOf(entry.type));
        slot.add(entry);
        slot.stats.serviceArrived();
        applyLimit(slot);
        servicesChanged(slot);
        LOG.info("Executor for type '{}' is available: {}", entry.type, entry);
    }

    void serviceModified(ServiceEntry entry, ServiceEntry.Properties properties) {
        entry.properties(properties);
        TypeSlot slot = table.get(entry.type);
        if (slot != null) {
            slot.resort();
            applyLimit(slot);
        }
    }

    /**
     * Removes a service: new tasks go elsewhere (or wait for the type to come back), running tasks get a
     * bounded drain before the service object is released; those still running after it are stopped.
     */
    void serviceRemoved(ServiceEntry entry) {
        TypeSlot slot = table.get(entry.type);
        if (slot == null) {
            return;
        }
        RegistrySettings s = settings();
        slot.drainStarted();
        long drainStart = ticker.nanos();
        try {
            slot.remove(entry, drainStart);
            applyLimit(slot);
            int left = entry.drain(s.drainTimeoutNanos(), () -> servicesChanged(slot));
            if (left > 0) {
                int stopped = watchdog.stopAll(
                        entry,
                        "its executor " + entry.executedBy + " went away and the drain"
                                + " timeout passed (drain_timeout_ms " + s.drainTimeoutNanos() / 1_000_000 + " in "
                                + RegistryConfig.PID + ")");
                LOG.warn(
                        "Executor {} went away with {} task(s) still running after the drain timeout: {} stopped"
                                + " (answered CANCELLED, their processes or statements ended); raise drain_timeout_ms in {} to let"
                                + " long tasks finish",
                        entry,
                        left,
                        stopped,
                        RegistryConfig.PID);
            } else {
                LOG.info("Executor for type '{}' removed: {}", entry.type, entry);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            slot.stats.serviceDeparted(ticker.nanos() - drainStart);
            slot.drainEnded();
        }
    }

    /** A type's limit: the registry's for it, or the serving executor's own when that is lower. */
    private void applyLimit(TypeSlot slot) {
        ServiceEntry[] entries = slot.entries();
        int own = entries.length > 0 ? entries[0].maxConcurrency() : Integer.MAX_VALUE;
        int added = slot.setLimit(Math.min(settings().concurrencyOf(slot.type), own));
        for (int i = 0; i < added; i++) {
            release(slot);
        }
    }

    // -- the registry's configuration and the operator's drain

    /** The settings in force; the defaults' limits while the configuration is refused at start (no task runs then). */
    RegistrySettings settings() {
        RegistrySettings s = config.get();
        return s == null ? RegistrySettings.DEFAULTS : s;
    }

    /** A new configuration was applied: the type limits follow it. */
    void reconfigured() {
        for (TypeSlot slot : table.slots()) {
            applyLimit(slot);
        }
    }

    /** @return what a task is told while the registry's configuration is refused (since start), or empty */
    Optional<String> notServing() {
        return config.get() == null ? Optional.of(config.notServing()) : Optional.empty();
    }

    Switches switches() {
        return switches;
    }

    ServiceTable table() {
        return table;
    }

    long unknownTypes() {
        return unknownTypes.sum();
    }

    /** @return the tasks of the type running now, or -1 when no such type was ever seen */
    int drain(String type, String why) {
        TypeSlot slot = table.get(type);
        if (slot == null) {
            return -1;
        }
        slot.drain(why);
        return slot.inFlight();
    }

    boolean resume(String type) {
        TypeSlot slot = table.get(type);
        return slot != null && slot.resume();
    }

    /** How long a stopped task's thread may stay in its executor before it is reported (tests shorten it). */
    void stuckAfter(Duration d) {
        watchdog.stuckAfter(d);
    }

    /** Looks at every deadline and wait now (tests that move the ticker by hand). */
    void sweep() {
        watchdog.sweep();
    }

    /** Answers every parked task (none waits for a registry that is gone), then stops the threads. */
    @Override
    public void close() {
        closed = true;
        for (TypeSlot slot : table.slots()) {
            for (Parked p : slot.takeAllParked()) {
                if (p.settle()) {
                    if (p.kind == Parked.Kind.PERMIT) {
                        p.entry.exit();
                    }
                    deliver(p.run, new Rejected(outcomes.shuttingDown(), p.entry));
                }
            }
        }
        tasks.shutdown();
        watchdog.close();
    }

    /**
     * A task parked in its type's queue, holding no thread: for a permit (then it holds its prepared task
     * and an entered service) or for the type's services to change (a new one arriving during an update,
     * or one that yields no object leaving). Exactly one of hand-over, wake-up, expiry and close settles it.
     */
    final class Parked implements Deadlines.Watched {
        enum Kind {
            /** Waits for a permit; expires as over capacity. */
            PERMIT,
            /** Waits for a service of the type to arrive; expires as an unknown type. */
            ARRIVAL,
            /** Waits for a service that yields no object to leave; expires as one that cannot be activated. */
            DEPARTURE
        }

        final Kind kind;
        final TaskRun run;
        final ServiceEntry entry;
        final Prepared prepared;
        final long until;
        final boolean sawInactive;
        private final AtomicBoolean settled = new AtomicBoolean();

        Parked(Kind kind, TaskRun run, ServiceEntry entry, Prepared prepared, long until, boolean sawInactive) {
            this.kind = kind;
            this.run = run;
            this.entry = entry;
            this.prepared = prepared;
            this.until = until;
            this.sawInactive = sawInactive;
        }

        /** @return true for the one caller that settles it */
        boolean settle() {
            return settled.compareAndSet(false, true);
        }

        /** The watchdog's look: expires it when its time is up or its task was cancelled meanwhile. */
        @Override
        public boolean check(Deadlines deadlines, long now) {
            if (settled.get()) {
                return true;
            }
            if (now - until < 0 && run.isLive()) {
                return false;
            }
            boolean parked = kind == Kind.PERMIT ? run.slot.unparkPermit(this) : run.slot.unparkArrival(this);
            if (parked && settle()) {
                expired(this);
            }
            return true;
        }

        @Override
        public String toString() {
            return "task " + run.task.id() + " waiting (" + kind + ")";
        }
    }

    /** A task answered before admission. */
    private record Answered(String taskId, CompletionStage<Result> result) implements TaskHandle {
        @Override
        public boolean cancel() {
            return false;
        }
    }
}
