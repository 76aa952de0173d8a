package dev.ferry.worker.internal.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.executor.api.ExecutionContext;
import dev.ferry.executor.api.Executor;
import dev.ferry.executor.api.InvalidPayloadException;
import dev.ferry.executor.api.Rejection;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;
import dev.ferry.testing.Await;
import dev.ferry.testing.FakeTicker;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.util.converter.Converters;

/** The registry with plain executors, outside a framework: selection, admission, deadlines, cancellation, capacity, grace. */
class RegistryUnitTest {
    private final OsgiExecutorRegistry registry = new OsgiExecutorRegistry(
            settings(Map.of("absent_grace_ms", 2000L)), Switches.ALL_ON, dev.ferry.support.Ticker.SYSTEM);
    private final AtomicInteger ids = new AtomicInteger(100);
    private final Locale defaultLocale = Locale.getDefault();

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        Await.until(what, Duration.ofSeconds(10), condition::getAsBoolean);
    }

    private static Result await(dev.ferry.executor.api.TaskHandle h) throws Exception {
        return h.result().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** One parse per task: running, submitting and validating each call prepare once, and only prepare parses. */
    @Test
    void eachTaskIsPreparedOnce() throws Exception {
        AtomicInteger prepares = new AtomicInteger();
        AtomicInteger runs = new AtomicInteger();
        add(registry, entry("t", 0, task -> {
            prepares.incrementAndGet();
            String parsed = task.payloadAsString().toUpperCase(Locale.ROOT);
            return context -> {
                runs.incrementAndGet();
                return Result.succeeded(parsed);
            };
        }));
        assertThat(registry.execute(Task.of("t", "a"), null).outputAsString()).isEqualTo("A");
        assertThat(prepares).hasValue(1);
        assertThat(await(registry.submit(Task.of("t", "b"), null)).outputAsString())
                .isEqualTo("B");
        assertThat(prepares).hasValue(2);
        assertThat(registry.validate("t", "c".getBytes()).isValid()).isTrue();
        assertThat(prepares).hasValue(3);
        assertThat(runs).as("a validation runs nothing").hasValue(2);
    }

    /**
     * A live sink hears the start (who runs the task) before any output; what an executor writes live goes to the
     * sink, and what one that does not stream returns in its result goes there too, as one write, the result
     * passed on without it.
     */
    @Test
    void aLiveSinkHearsTheStartThenTheOutput() throws Exception {
        add(registry, entry("live", 0, task -> context -> {
            dev.ferry.executor.api.OutputSink out = context.liveOutput().orElseThrow();
            out.write(dev.ferry.executor.api.OutputSink.Channel.OUTPUT, "a-b".getBytes(), 0, 1);
            out.write(dev.ferry.executor.api.OutputSink.Channel.STDERR, "a-b".getBytes(), 2, 1);
            return Result.succeeded("");
        }));
        add(registry, entry("whole", 0, task -> context -> {
            assertThat(context.liveOutput()).isPresent();
            return Result.builder(Status.SUCCEEDED)
                    .output("all at once")
                    .metadata("k", "v")
                    .build();
        }));
        add(
                registry,
                entry(
                        "unary",
                        0,
                        task -> context -> Result.succeeded(context.liveOutput().isPresent() ? "live" : "kept")));
        java.util.List<String> heard = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        dev.ferry.executor.api.OutputSink sink = new dev.ferry.executor.api.OutputSink() {
            @Override
            public void started(String taskId, String executedBy) {
                heard.add("started " + taskId + " " + executedBy);
            }

            @Override
            public boolean write(Channel channel, byte[] data, int offset, int length) {
                heard.add(channel + " " + new String(data, offset, length));
                return true;
            }
        };
        Result live = await(registry.submit(new Task("t-1", "live", new byte[0], Map.of()), null, sink));
        assertThat(live.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(heard).containsExactly("started t-1 test.bundle/1.0.0", "OUTPUT a", "STDERR b");
        heard.clear();
        Result whole = await(registry.submit(new Task("t-2", "whole", new byte[0], Map.of()), null, sink));
        assertThat(heard).containsExactly("started t-2 test.bundle/1.0.0", "OUTPUT all at once");
        assertThat(whole.output()).isEmpty();
        assertThat(whole.metadata()).containsEntry("k", "v").containsKey(Result.EXECUTED_BY);
        assertThat(registry.execute(Task.of("unary", ""), null).outputAsString())
                .as("no sink: nothing live")
                .isEqualTo("kept");
        heard.clear();
        registry.submit(Task.of("nope", ""), null, sink);
        assertThat(heard).as("a refused task never starts").isEmpty();
    }

    /**
     * Waiting for a slot holds no thread: 1,000 tasks wait behind one that holds the type's only permit,
     * parked in its queue, while the threads in the registry's pool stay at one; then all run, in order.
     */
    @Test
    void aThousandTasksWaitForASlotWithoutAThreadEach() throws Exception {
        update(registry, settings(Map.of("type_concurrency", new String[] {"t=1"}, "queue_wait_ms", 60_000L)));
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        java.util.List<String> order = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        add(registry, entry("t", 0, task -> context -> {
            if (task.payloadAsString().equals("first")) {
                started.countDown();
                release.await();
            }
            order.add(task.payloadAsString());
            return Result.succeeded("ok");
        }));
        int threadsBefore = taskThreads();
        var first = registry.submit(Task.of("t", "first"), Duration.ofSeconds(60));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        java.util.List<dev.ferry.executor.api.TaskHandle> waiting = new java.util.ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            waiting.add(registry.submit(Task.of("t", Integer.toString(i)), Duration.ofSeconds(60)));
        }
        assertThat(parked(registry, "t")).isEqualTo(1000);
        assertThat(taskThreads() - threadsBefore)
                .as("threads in the registry's pool while 1,000 tasks wait")
                .isLessThanOrEqualTo(1);
        release.countDown();
        assertThat(await(first).status()).isEqualTo(Status.SUCCEEDED);
        for (var h : waiting) {
            assertThat(await(h).status()).isEqualTo(Status.SUCCEEDED);
        }
        java.util.List<String> expected = new java.util.ArrayList<>();
        expected.add("first");
        for (int i = 0; i < 1000; i++) {
            expected.add(Integer.toString(i));
        }
        assertThat(order).as("first come, first served").isEqualTo(expected);
        assertThat(parked(registry, "t")).isZero();
    }

    private static int taskThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("ferry-task-"))
                .count();
    }

    /**
     * Type t with one slot and a minute's queue wait; a task holds the slot until {@code release}.
     *
     * @return that task's handle, once it runs
     */
    /** enabled: false in config.yaml: new tasks are told why (an unknown type), the running one finishes, and back on. */
    @Test
    void aTypeSwitchedOffServesNoNewTaskWhileItsRunningOneFinishes() throws Exception {
        Map<String, String> off = new java.util.concurrent.ConcurrentHashMap<>();
        OsgiExecutorRegistry switched = new OsgiExecutorRegistry(
                settings(Map.of()), t -> java.util.Optional.ofNullable(off.get(t)), dev.ferry.support.Ticker.SYSTEM);
        try {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            add(switched, entry("t", 0, blockingUntil(started, release)));
            var running = switched.submit(Task.of("t", ""), Duration.ofSeconds(30));
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

            off.put("t", "type 't' is disabled in config.yaml");
            Result refused = switched.execute(Task.of("t", ""), null);
            assertThat(refused.status()).isEqualTo(Status.REJECTED);
            assertThat(refused.rejection()).isEqualTo(dev.ferry.executor.api.Rejection.UNKNOWN_TYPE);
            assertThat(refused.error()).isEqualTo("type 't' is disabled in config.yaml");
            assertThat(switched.validate("t", new byte[0]).isValid()).isFalse();
            assertThat(switched.health().get("t").isHealthy()).isFalse();
            assertThat(switched.health().get("t").message()).isEqualTo("type 't' is disabled in config.yaml");
            assertThat(switched.execute(Task.of("nope", ""), null).error())
                    .as("a type switched off is not listed as served")
                    .contains("types served now: none");

            release.countDown();
            assertThat(await(running).status()).isEqualTo(Status.SUCCEEDED);
            off.remove("t");
            assertThat(switched.execute(Task.of("t", ""), null).status()).isEqualTo(Status.SUCCEEDED);
            assertThat(switched.health().get("t").isHealthy()).isTrue();
        } finally {
            close(switched);
        }
    }

    private dev.ferry.executor.api.TaskHandle holdTheOnlySlot(CountDownLatch release) throws InterruptedException {
        update(registry, settings(Map.of("type_concurrency", new String[] {"t=1"}, "queue_wait_ms", 60_000L)));
        CountDownLatch started = new CountDownLatch(1);
        add(registry, entry("t", 0, blockingUntil(started, release)));
        var first = registry.submit(Task.of("t", ""), Duration.ofSeconds(60));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        return first;
    }

    /** A task cancelled while it waits for a slot is answered at once and gives its place up. */
    @Test
    void aTaskCancelledWhileWaitingGivesItsPlaceUp() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        var first = holdTheOnlySlot(release);
        var cancelled = registry.submit(Task.of("t", ""), Duration.ofSeconds(60));
        var next = registry.submit(Task.of("t", ""), Duration.ofSeconds(60));
        assertThat(cancelled.cancel()).isTrue();
        assertThat(await(cancelled).status()).isEqualTo(Status.CANCELLED);
        awaitTrue(() -> parked(registry, "t") == 1, "the cancelled task leaves the queue");
        release.countDown();
        assertThat(await(first).status()).isEqualTo(Status.SUCCEEDED);
        assertThat(await(next).status()).isEqualTo(Status.SUCCEEDED);
    }

    /** A worker going down answers the tasks parked for a slot: none waits for an answer that never comes. */
    @Test
    void closingAnswersParkedTasks() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        var first = holdTheOnlySlot(release);
        var parked = registry.submit(Task.of("t", ""), Duration.ofSeconds(60));
        assertThat(parked(registry, "t")).isEqualTo(1);
        close(registry);
        Result r = await(parked);
        assertThat(r.status()).isEqualTo(Status.REJECTED);
        assertThat(r.rejection()).isEqualTo(Rejection.SHUTTING_DOWN);
        release.countDown();
        assertThat(await(first).status()).isEqualTo(Status.SUCCEEDED);
    }

    /**
     * An executor that answers a stop by throwing the InterruptedException it got (as Prepared's javadoc allows, and
     * the command executor does) is still heard: its word ("interrupted") is kept under ferry.executor_error, as a
     * returned error would be, and logged with the task.
     */
    @Test
    void anExecutorThatRethrowsTheStopsInterruptIsHeard() throws Exception {
        add(registry, entry("t", 0, executing(context -> {
            Thread.sleep(10_000);
            return Result.succeeded("late");
        })));
        Result r = registry.execute(Task.of("t", ""), Duration.ofMillis(50));
        assertThat(r.status()).isEqualTo(Status.TIMED_OUT);
        assertThat(r.metadata()).containsEntry(Result.EXECUTOR_ERROR, "interrupted: sleep interrupted");
    }

    /** A stopped task's result is built by the registry in one place: origin, duration, and the executor's own error kept. */
    @Test
    void stopResultsCarryTheOriginAndTheExecutorsOwnError() throws Exception {
        add(registry, entry("t", 0, executing(context -> {
            try {
                Thread.sleep(10_000);
                return Result.succeeded("late");
            } catch (InterruptedException e) {
                return Result.error("interrupted while copying /data/x");
            }
        })));
        Result sync = registry.execute(Task.of("t", ""), Duration.ofMillis(50));
        assertThat(sync.status()).isEqualTo(Status.TIMED_OUT);
        assertThat(sync.error()).isEqualTo("deadline of 0.050s passed");
        assertThat(sync.metadata())
                .containsEntry(Result.EXECUTED_BY, "test.bundle/1.0.0")
                .containsEntry(Result.EXECUTOR_ERROR, "interrupted while copying /data/x")
                .containsKey(Result.DURATION_MICROS);
        Result async = await(registry.submit(Task.of("t", ""), Duration.ofMillis(50)));
        assertThat(async.status()).isEqualTo(Status.TIMED_OUT);
        assertThat(async.metadata())
                .containsEntry(Result.EXECUTED_BY, "test.bundle/1.0.0")
                .containsKey(Result.DURATION_MICROS);
        CountDownLatch started = new CountDownLatch(1);
        add(registry, entry("c", 0, executing(context -> {
            started.countDown();
            new CountDownLatch(1).await();
            return Result.succeeded("never");
        })));
        var handle = registry.submit(Task.of("c", ""), Duration.ofSeconds(30));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        handle.cancel();
        assertThat(await(handle).metadata()).containsEntry(Result.EXECUTED_BY, "test.bundle/1.0.0");
    }

    /** An executor's own timeout brings the deadline forward; the registry's watchdog enforces it, hooks and all. */
    @Test
    void anExecutorCanBringItsDeadlineForward() {
        AtomicBoolean hookRan = new AtomicBoolean();
        add(registry, entry("t", 0, executing(context -> {
            context.tighten(Duration.ofMillis(100));
            context.tighten(Duration.ofHours(1)); // never moves back
            try (ExecutionContext.Hook h = context.onCancel(() -> hookRan.set(true))) {
                Thread.sleep(10_000);
            }
            return Result.succeeded("late");
        })));
        long start = System.nanoTime();
        Result r = registry.execute(Task.of("t", ""), Duration.ofSeconds(60));
        assertThat(r.status()).isEqualTo(Status.TIMED_OUT);
        assertThat(hookRan).isTrue();
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
    }

    /** Numbers the registry writes read the same under a German default locale (10.201, never 10,201). */
    @Test
    void numbersDoNotFollowTheDefaultLocale() {
        Locale.setDefault(Locale.GERMANY);
        add(registry, entry("t", 0, executing(context -> {
            Thread.sleep(10_000);
            return Result.succeeded("late");
        })));
        Result r = registry.execute(Task.of("t", ""), Duration.ofMillis(1500));
        assertThat(r.error()).isEqualTo("deadline of 1.500s passed");
    }

    @AfterEach
    void closeRegistry() {
        close(registry);
        Locale.setDefault(defaultLocale);
    }

    static RegistrySettings settings(Map<String, Object> values) {
        return RegistrySettings.from(
                Converters.standardConverter().convert(new HashMap<>(values)).to(RegistryConfig.class));
    }

    private ServiceEntry entry(String type, int ranking, Executor executor) {
        return new ServiceEntry(
                type,
                ids.incrementAndGet(),
                new ServiceEntry.Properties(ranking, Long.MAX_VALUE, Integer.MAX_VALUE),
                "test.bundle",
                "1.0.0",
                () -> executor,
                () -> {});
    }

    // the registry's parts that the framework drives, driven by hand

    private static void add(OsgiExecutorRegistry r, ServiceEntry e) {
        r.dispatcher().serviceAdded(e);
    }

    private static void remove(OsgiExecutorRegistry r, ServiceEntry e) {
        r.dispatcher().serviceRemoved(e);
    }

    private static void update(OsgiExecutorRegistry r, RegistrySettings s) {
        r.configure(s);
    }

    private static int parked(OsgiExecutorRegistry r, String type) {
        TypeSlot slot = r.dispatcher().table().get(type);
        return slot == null ? 0 : slot.parkedForPermit();
    }

    private static int parkedForArrival(OsgiExecutorRegistry r, String type) {
        TypeSlot slot = r.dispatcher().table().get(type);
        return slot == null ? 0 : slot.parkedForArrival();
    }

    private static void close(OsgiExecutorRegistry r) {
        r.dispatcher().close();
    }

    private static void stuckAfter(OsgiExecutorRegistry r, Duration d) {
        r.dispatcher().stuckAfter(d);
    }

    /** What an executor's execute does, for executors whose payloads are all valid. */
    interface Body {
        Result run(ExecutionContext context) throws Exception;
    }

    private static Executor executing(Body body) {
        return task -> body::run;
    }

    /** Counts {@code started} down, then holds its task until {@code release}. */
    private static Executor blockingUntil(CountDownLatch started, CountDownLatch release) {
        return executing(context -> {
            started.countDown();
            release.await();
            return Result.succeeded("done");
        });
    }

    private static Executor replying(String reply) {
        return task -> {
            byte[] payload = task.payload();
            if (payload.length > 0 && payload[0] == '!') {
                throw new InvalidPayloadException("first", "no exclamations");
            }
            return context -> Result.succeeded(reply);
        };
    }

    /** A task that ignores its stop keeps its thread: the caller gets TIMED_OUT, the operator sees it in health. */
    @Test
    void aThreadThatOutlivesItsDeadlineIsShownInHealth() throws Exception {
        stuckAfter(registry, Duration.ofMillis(100));
        java.util.concurrent.atomic.AtomicBoolean release = new java.util.concurrent.atomic.AtomicBoolean();
        add(registry, entry("t", 0, executing(context -> {
            while (!release.get()) {
                Thread.onSpinWait(); // ignores interrupts and hooks, as a runaway deserialization would
            }
            return Result.succeeded("late");
        })));
        Task task = Task.of("t", "");
        Result r = registry.submit(task, Duration.ofMillis(50))
                .result()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(Status.TIMED_OUT);
        awaitTrue(() -> !registry.health().get("t").isHealthy(), "health shows the stuck task");
        assertThat(registry.health().get("t").message())
                .contains("still running in the executor")
                .contains(task.id());
        release.set(true);
        awaitTrue(() -> registry.health().get("t").isHealthy(), "healthy again once it returned");
    }

    /**
     * A cancel hook that blocks (a statement cancel waiting on its database, a kill waiting out its grace)
     * delays neither its own caller's answer nor any other task's deadline.
     */
    @Test
    void aBlockingCancelHookDelaysNoAnswer() throws Exception {
        CountDownLatch hookEntered = new CountDownLatch(1);
        CountDownLatch releaseHook = new CountDownLatch(1);
        add(registry, entry("slowhook", 0, executing(context -> {
            try (ExecutionContext.Hook h = context.onCancel(() -> {
                hookEntered.countDown();
                try {
                    releaseHook.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            })) {
                new CountDownLatch(1).await(); // until interrupted
            }
            return Result.succeeded("never");
        })));
        add(registry, entry("sleeps", 0, executing(context -> {
            new CountDownLatch(1).await(); // until interrupted
            return Result.succeeded("never");
        })));
        try {
            Result first = registry.submit(Task.of("slowhook", ""), Duration.ofMillis(50))
                    .result()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            assertThat(first.status()).isEqualTo(Status.TIMED_OUT);
            assertThat(hookEntered.await(10, TimeUnit.SECONDS)).isTrue();
            Result second = registry.submit(Task.of("sleeps", ""), Duration.ofMillis(50))
                    .result()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            assertThat(second.status())
                    .as("timed out while the first task's hook still blocks")
                    .isEqualTo(Status.TIMED_OUT);
        } finally {
            releaseHook.countDown();
        }
    }

    @Test
    void highestRankingThenLowestServiceIdServes() {
        add(registry, entry("t", 0, replying("first")));
        add(registry, entry("t", 0, replying("second")));
        assertThat(registry.execute(Task.of("t", ""), null).outputAsString()).isEqualTo("first");
        add(registry, entry("t", 7, replying("ranked")));
        assertThat(registry.execute(Task.of("t", ""), null).outputAsString()).isEqualTo("ranked");
    }

    @Test
    void resultsCarryTimingAndOrigin() {
        add(registry, entry("t", 0, replying("x")));
        Result r = registry.execute(Task.of("t", ""), null);
        assertThat(r.metadata())
                .containsKey(Result.DURATION_MICROS)
                .containsEntry(Result.EXECUTED_BY, "test.bundle/1.0.0");
        assertThat(registry.stats().get("t").count(Status.SUCCEEDED)).isEqualTo(1);
    }

    @Test
    void invalidPayloadsAreRejectedWithTheExecutorsMessage() {
        add(registry, entry("t", 0, replying("x")));
        Result r = registry.execute(Task.of("t", "!"), null);
        assertThat(r.status()).isEqualTo(Status.REJECTED);
        assertThat(r.rejection()).isEqualTo(Rejection.INVALID_PAYLOAD);
        assertThat(r.error()).isEqualTo("first: no exclamations");
        assertThat(registry.validate("t", "!".getBytes()).message()).isEqualTo("first: no exclamations");
    }

    @Test
    void theDeadlineStopsACooperativeExecutorThroughItsHookAndInterrupt() {
        AtomicBoolean hookRan = new AtomicBoolean();
        add(registry, entry("slow", 0, executing(context -> {
            try (ExecutionContext.Hook h = context.onCancel(() -> hookRan.set(true))) {
                Thread.sleep(10_000);
            }
            return Result.succeeded("late");
        })));
        Result r = registry.execute(Task.of("slow", ""), Duration.ofMillis(100));
        assertThat(r.status()).isEqualTo(Status.TIMED_OUT);
        assertThat(hookRan).isTrue();
        assertThat(Thread.currentThread().isInterrupted())
                .as("no interrupt leaks to the caller")
                .isFalse();
    }

    @Test
    void submitAnswersOnTimeEvenIfTheExecutorIgnoresTheDeadline() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        add(registry, entry("stubborn", 0, executing(context -> {
            while (true) {
                try {
                    release.await();
                    return Result.succeeded("finally");
                } catch (InterruptedException ignored) {
                    // ignores the interrupt on purpose
                }
            }
        })));
        long start = System.nanoTime();
        Result r = registry.submit(Task.of("stubborn", ""), Duration.ofMillis(100))
                .result()
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        release.countDown();
        assertThat(r.status()).isEqualTo(Status.TIMED_OUT);
        assertThat(millis).isBetween(90L, 2000L);
    }

    @Test
    void theExecutorsOwnMaximumCapsTheDeadline() {
        ServiceEntry capped = entry("slow", 0, executing(context -> {
            return Result.succeeded(Long.toString(context.remaining().toMillis()));
        }));
        capped.properties(new ServiceEntry.Properties(0, TimeUnit.SECONDS.toNanos(2), Integer.MAX_VALUE));
        add(registry, capped);
        long remaining = Long.parseLong(
                registry.execute(Task.of("slow", ""), Duration.ofHours(1)).outputAsString());
        assertThat(remaining).isBetween(1000L, 2000L);
    }

    @Test
    void cancelRunsHooksAndReportsCancelled() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        add(registry, entry("slow", 0, executing(context -> {
            started.countDown();
            Thread.sleep(10_000);
            return Result.succeeded("late");
        })));
        var handle = registry.submit(Task.of("slow", ""), Duration.ofSeconds(30));
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(handle.cancel()).isTrue();
        assertThat(handle.cancel()).isFalse();
        assertThat(handle.result()
                        .toCompletableFuture()
                        .get(5, TimeUnit.SECONDS)
                        .status())
                .isEqualTo(Status.CANCELLED);
    }

    @Test
    void overCapacityRejectsOrWaitsAsConfigured() throws Exception {
        update(registry, settings(Map.of("type_concurrency", new String[] {"t=1"})));
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        add(registry, entry("t", 0, blockingUntil(started, release)));
        var first = registry.submit(Task.of("t", ""), Duration.ofSeconds(30));
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        Result rejected = registry.execute(Task.of("t", ""), null);
        assertThat(rejected.rejection()).isEqualTo(Rejection.OVER_CAPACITY);

        update(registry, settings(Map.of("type_concurrency", new String[] {"t=1"}, "queue_wait_ms", 5000L)));
        var waiting = CompletableFuture.supplyAsync(() -> registry.execute(Task.of("t", ""), null));
        release.countDown();
        assertThat(first.result().toCompletableFuture().get(5, TimeUnit.SECONDS).status())
                .isEqualTo(Status.SUCCEEDED);
        assertThat(waiting.get(10, TimeUnit.SECONDS).status()).isEqualTo(Status.SUCCEEDED);
    }

    @Test
    void anExecutorsOwnConcurrencyLimitIsEnforced() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        ServiceEntry one = entry("t", 0, blockingUntil(started, release));
        one.properties(new ServiceEntry.Properties(0, Long.MAX_VALUE, 1));
        add(registry, one);
        var first = registry.submit(Task.of("t", ""), Duration.ofSeconds(30));
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        Result second = registry.execute(Task.of("t", ""), null);
        release.countDown();
        assertThat(second.rejection()).isEqualTo(Rejection.OVER_CAPACITY);
        assertThat(second.error()).contains(Executor.MAX_CONCURRENCY);
        assertThat(first.result().toCompletableFuture().get(5, TimeUnit.SECONDS).status())
                .isEqualTo(Status.SUCCEEDED);
        assertThat(registry.limits()).containsEntry("t", 1);
    }

    @Test
    void aLimitLoweredWhileTasksRunCountsThem() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        add(registry, entry("t", 0, blockingUntil(started, release)));
        var first = registry.submit(Task.of("t", ""), Duration.ofSeconds(30));
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        update(registry, settings(Map.of("type_concurrency", new String[] {"t=1"})));
        Result second = registry.execute(Task.of("t", ""), null);
        release.countDown();
        assertThat(second.rejection()).isEqualTo(Rejection.OVER_CAPACITY);
        assertThat(first.result().toCompletableFuture().get(5, TimeUnit.SECONDS).status())
                .isEqualTo(Status.SUCCEEDED);
        assertThat(registry.execute(Task.of("t", ""), null).status()).isEqualTo(Status.SUCCEEDED);
    }

    @Test
    void aTaskWaitsForATypeThatIsBrieflyAbsent() throws Exception {
        ServiceEntry old = entry("t", 0, replying("old"));
        add(registry, old);
        remove(registry, old);
        var waiting = registry.submit(Task.of("t", ""), null).result().toCompletableFuture();
        awaitTrue(() -> parkedForArrival(registry, "t") == 1, "the task is parked for the type");
        assertThat(waiting)
                .as("the task waits for its type, it is not rejected")
                .isNotDone();
        add(registry, entry("t", 0, replying("new")));
        Result r = waiting.get(5, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(r.outputAsString()).isEqualTo("new");
        assertThat(registry.validate("t", new byte[0]).isValid()).isTrue();
    }

    @Test
    void aTypeNeverSeenIsRejectedAtOnce() {
        long start = System.nanoTime();
        Result r = registry.execute(Task.of("never", ""), null);
        assertThat(r.rejection()).isEqualTo(Rejection.UNKNOWN_TYPE);
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.MILLISECONDS.toNanos(500));
    }

    @Test
    void removalDrainsRunningTasks() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        ServiceEntry e = entry("t", 0, executing(context -> {
            started.countDown();
            release.await();
            finished.set(true);
            return Result.succeeded("finished");
        }));
        add(registry, e);
        var running = registry.submit(Task.of("t", ""), Duration.ofSeconds(30));
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        // the task ends only once its service is being removed: the removal must wait for it
        CompletableFuture.runAsync(() -> {
            try {
                Await.until("the removal started", Duration.ofSeconds(10), e::isRemoved);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            } finally {
                release.countDown();
            }
        });
        remove(registry, e); // blocks until the task is done
        assertThat(finished).isTrue();
        assertThat(await(running).outputAsString()).isEqualTo("finished");
        assertThat(running.result()
                        .toCompletableFuture()
                        .get(1, TimeUnit.SECONDS)
                        .outputAsString())
                .isEqualTo("finished");
    }

    /**
     * Security round 2, #20: a task still running when its executor's drain timeout passed kept running (a
     * stream went on 40 s after the warning). It is stopped: answered CANCELLED, its cancel hook run.
     */
    @Test
    void aTaskStillRunningAfterTheDrainTimeoutIsStopped() throws Exception {
        OsgiExecutorRegistry short_ = new OsgiExecutorRegistry(
                settings(Map.of("drain_timeout_ms", 200L)), Switches.ALL_ON, dev.ferry.support.Ticker.SYSTEM);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch hookRan = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        try {
            ServiceEntry e = entry("t", 0, executing(context -> {
                try (ExecutionContext.Hook hook = context.onCancel(hookRan::countDown)) {
                    started.countDown();
                    never.await(); // a long stream: returns only when interrupted
                }
                return Result.succeeded("never");
            }));
            add(short_, e);
            var running = short_.submit(Task.of("t", ""), Duration.ofMinutes(10));
            assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
            remove(short_, e); // the drain gives up after 200 ms
            Result r = running.result().toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(Status.CANCELLED);
            assertThat(r.error()).contains("went away").contains("drain_timeout_ms 200");
            assertThat(hookRan.await(5, TimeUnit.SECONDS))
                    .as("the task's cancel hook ran")
                    .isTrue();
        } finally {
            never.countDown();
            close(short_);
        }
    }

    @Test
    void anExecutorThatThrowsIsAnErrorNotACrash() {
        add(registry, entry("t", 0, executing(context -> {
            throw new IllegalStateException("boom");
        })));
        Result r = registry.execute(Task.of("t", ""), null);
        assertThat(r.status()).isEqualTo(Status.ERROR);
        assertThat(r.error()).contains("boom");
    }

    @Test
    void badConfigurationNamesTheKey() {
        assertThatThrownBy(() -> settings(Map.of("max_concurrency", 0))).hasMessageContaining("max_concurrency");
        assertThatThrownBy(() -> settings(Map.of("type_concurrency", new String[] {"command"})))
                .hasMessageContaining("type_concurrency")
                .hasMessageContaining("type=N");
        assertThatThrownBy(() -> settings(Map.of("type_concurrency", new String[] {"command=x"})))
                .hasMessageContaining("type_concurrency");
        assertThatThrownBy(() -> settings(Map.of("default_timeout_seconds", -1.0)))
                .hasMessageContaining("default_timeout_seconds");
    }

    /**
     * The watchdog on a clock the test moves: a deadline passes when the clock says so, not before, and a task
     * parked for a permit expires when its queue wait is up; no sleep decides either.
     */
    @Test
    void deadlinesAndWaitsFollowTheRegistrysClock() throws Exception {
        FakeTicker clock = new FakeTicker();
        OsgiExecutorRegistry timed = new OsgiExecutorRegistry(
                settings(Map.of("type_concurrency", new String[] {"t=1"}, "queue_wait_ms", 3000L)),
                Switches.ALL_ON,
                clock);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try {
            add(timed, entry("t", 0, blockingUntil(started, release)));
            var running = timed.submit(Task.of("t", ""), Duration.ofSeconds(5));
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            var waiting = timed.submit(Task.of("t", ""), Duration.ofSeconds(60));
            assertThat(parked(timed, "t")).isEqualTo(1);

            clock.advance(Duration.ofMillis(2999));
            timed.dispatcher().sweep();
            assertThat(running.result().toCompletableFuture())
                    .as("2.999 s of 5: still running")
                    .isNotDone();
            assertThat(waiting.result().toCompletableFuture())
                    .as("2.999 s of its 3 s wait: still parked")
                    .isNotDone();

            clock.advance(Duration.ofMillis(1));
            timed.dispatcher().sweep();
            Result refused = Await.result("the parked task's answer", Duration.ofSeconds(10), waiting.result());
            assertThat(refused.rejection()).isEqualTo(Rejection.OVER_CAPACITY);
            assertThat(running.result().toCompletableFuture())
                    .as("3 s of 5: still running")
                    .isNotDone();

            clock.advance(Duration.ofSeconds(2));
            timed.dispatcher().sweep();
            Result r = Await.result("the timed-out task's answer", Duration.ofSeconds(10), running.result());
            assertThat(r.status()).isEqualTo(Status.TIMED_OUT);
            assertThat(r.error()).contains("deadline of 5.000s passed");
        } finally {
            release.countDown();
            close(timed);
        }
    }

    @Test
    void theHistogramReportsPercentiles() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 1; i <= 1000; i++) {
            h.record(i);
        }
        assertThat(h.percentile(0.5)).isBetween(470L, 500L);
        assertThat(h.percentile(0.99)).isBetween(940L, 990L);
        assertThat(h.max()).isEqualTo(1000);
        assertThat(new LatencyHistogram().percentile(0.5)).isZero();
    }
}
