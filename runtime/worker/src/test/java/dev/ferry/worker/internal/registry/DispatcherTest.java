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
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.util.converter.Converters;

/** The registry's engine with plain executors: selection, deadlines, cancellation, capacity, grace. */
class DispatcherTest {
    private final Dispatcher dispatcher = new Dispatcher(settings(Map.of("absent_grace_ms", 2000L)));
    private final AtomicInteger ids = new AtomicInteger(100);

    @AfterEach
    void close() {
        dispatcher.close();
    }

    static RegistrySettings settings(Map<String, Object> values) {
        return RegistrySettings.from(Converters.standardConverter().convert(new HashMap<>(values)).to(RegistryConfig.class));
    }

    private ServiceEntry entry(String type, int ranking, Executor executor) {
        return new ServiceEntry(type, ids.incrementAndGet(), ranking, Long.MAX_VALUE, "test.bundle", "1.0.0",
                () -> executor, () -> {});
    }

    /** What an executor's execute does, for executors whose payloads are all valid. */
    interface Body {
        Result run(ExecutionContext context) throws Exception;
    }

    private static Executor executing(Body body) {
        return new Executor() {
            @Override
            public void validate(byte[] payload) {
            }

            @Override
            public Result execute(Task task, ExecutionContext context) throws Exception {
                return body.run(context);
            }
        };
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
        return new Executor() {
            @Override
            public void validate(byte[] payload) throws InvalidPayloadException {
                if (payload.length > 0 && payload[0] == '!') {
                    throw new InvalidPayloadException("first", "no exclamations");
                }
            }

            @Override
            public Result execute(Task task, ExecutionContext context) {
                return Result.succeeded(reply);
            }
        };
    }

    /** A task that ignores its stop keeps its thread: the caller gets TIMED_OUT, the operator sees it in health. */
    @Test
    void aThreadThatOutlivesItsDeadlineIsShownInHealth() throws Exception {
        dispatcher.stuckAfter(Duration.ofMillis(100));
        java.util.concurrent.atomic.AtomicBoolean release = new java.util.concurrent.atomic.AtomicBoolean();
        dispatcher.add(entry("t", 0, executing(context -> {
            while (!release.get()) {
                Thread.onSpinWait(); // ignores interrupts and hooks, as a runaway deserialization would
            }
            return Result.succeeded("late");
        })));
        Task task = Task.of("t", "");
        Result r = dispatcher.submit(task, Duration.ofMillis(50)).result().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(Status.TIMED_OUT);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (dispatcher.health().get("t").isHealthy()) {
            assertThat(System.nanoTime()).as("health shows the stuck task within 10 s").isLessThan(deadline);
            Thread.sleep(10);
        }
        assertThat(dispatcher.health().get("t").message()).contains("still running in the executor").contains(task.id());
        release.set(true);
        while (!dispatcher.health().get("t").isHealthy()) {
            assertThat(System.nanoTime()).as("healthy again once it returned").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /**
     * A cancel hook that blocks (a statement cancel waiting on its database, a kill waiting out its grace)
     * delays neither its own caller's answer nor any other task's deadline.
     */
    @Test
    void aBlockingCancelHookDelaysNoAnswer() throws Exception {
        CountDownLatch hookEntered = new CountDownLatch(1);
        CountDownLatch releaseHook = new CountDownLatch(1);
        dispatcher.add(entry("slowhook", 0, executing(context -> {
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
        dispatcher.add(entry("sleeps", 0, executing(context -> {
            new CountDownLatch(1).await(); // until interrupted
            return Result.succeeded("never");
        })));
        try {
            Result first = dispatcher.submit(Task.of("slowhook", ""), Duration.ofMillis(50)).result().toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            assertThat(first.status()).isEqualTo(Status.TIMED_OUT);
            assertThat(hookEntered.await(10, TimeUnit.SECONDS)).isTrue();
            Result second = dispatcher.submit(Task.of("sleeps", ""), Duration.ofMillis(50)).result().toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            assertThat(second.status()).as("timed out while the first task's hook still blocks").isEqualTo(Status.TIMED_OUT);
        } finally {
            releaseHook.countDown();
        }
    }

    @Test
    void highestRankingThenLowestServiceIdServes() {
        dispatcher.add(entry("t", 0, replying("first")));
        dispatcher.add(entry("t", 0, replying("second")));
        assertThat(dispatcher.execute(Task.of("t", ""), null).outputAsString()).isEqualTo("first");
        dispatcher.add(entry("t", 7, replying("ranked")));
        assertThat(dispatcher.execute(Task.of("t", ""), null).outputAsString()).isEqualTo("ranked");
    }

    @Test
    void resultsCarryTimingAndOrigin() {
        dispatcher.add(entry("t", 0, replying("x")));
        Result r = dispatcher.execute(Task.of("t", ""), null);
        assertThat(r.metadata()).containsKey(Result.DURATION_MICROS).containsEntry(Result.EXECUTED_BY, "test.bundle/1.0.0");
        assertThat(dispatcher.stats().get("t").count(Status.SUCCEEDED)).isEqualTo(1);
    }

    @Test
    void invalidPayloadsAreRejectedWithTheExecutorsMessage() {
        dispatcher.add(entry("t", 0, replying("x")));
        Result r = dispatcher.execute(Task.of("t", "!"), null);
        assertThat(r.status()).isEqualTo(Status.REJECTED);
        assertThat(r.rejection()).isEqualTo(Rejection.INVALID_PAYLOAD);
        assertThat(r.error()).isEqualTo("first: no exclamations");
        assertThat(dispatcher.validate("t", "!".getBytes()).message()).isEqualTo("first: no exclamations");
    }

    @Test
    void theDeadlineStopsACooperativeExecutorThroughItsHookAndInterrupt() {
        AtomicBoolean hookRan = new AtomicBoolean();
        dispatcher.add(entry("slow", 0, executing(context -> {
            try (ExecutionContext.Hook h = context.onCancel(() -> hookRan.set(true))) {
                Thread.sleep(10_000);
            }
            return Result.succeeded("late");
        })));
        Result r = dispatcher.execute(Task.of("slow", ""), Duration.ofMillis(100));
        assertThat(r.status()).isEqualTo(Status.TIMED_OUT);
        assertThat(hookRan).isTrue();
        assertThat(Thread.currentThread().isInterrupted()).as("no interrupt leaks to the caller").isFalse();
    }

    @Test
    void submitAnswersOnTimeEvenIfTheExecutorIgnoresTheDeadline() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        dispatcher.add(entry("stubborn", 0, executing(context -> {
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
        Result r = dispatcher.submit(Task.of("stubborn", ""), Duration.ofMillis(100)).result().toCompletableFuture()
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
        capped.maxTimeoutNanos = TimeUnit.SECONDS.toNanos(2);
        dispatcher.add(capped);
        long remaining = Long.parseLong(dispatcher.execute(Task.of("slow", ""), Duration.ofHours(1)).outputAsString());
        assertThat(remaining).isBetween(1000L, 2000L);
    }

    @Test
    void cancelRunsHooksAndReportsCancelled() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        dispatcher.add(entry("slow", 0, executing(context -> {
            started.countDown();
            Thread.sleep(10_000);
            return Result.succeeded("late");
        })));
        var handle = dispatcher.submit(Task.of("slow", ""), Duration.ofSeconds(30));
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(handle.cancel()).isTrue();
        assertThat(handle.cancel()).isFalse();
        assertThat(handle.result().toCompletableFuture().get(5, TimeUnit.SECONDS).status()).isEqualTo(Status.CANCELLED);
    }

    @Test
    void overCapacityRejectsOrWaitsAsConfigured() throws Exception {
        dispatcher.update(settings(Map.of("type_concurrency", new String[] {"t=1"})));
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        dispatcher.add(entry("t", 0, blockingUntil(started, release)));
        var first = dispatcher.submit(Task.of("t", ""), Duration.ofSeconds(30));
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        Result rejected = dispatcher.execute(Task.of("t", ""), null);
        assertThat(rejected.rejection()).isEqualTo(Rejection.OVER_CAPACITY);

        dispatcher.update(settings(Map.of("type_concurrency", new String[] {"t=1"}, "queue_wait_ms", 5000L)));
        var waiting = CompletableFuture.supplyAsync(() -> dispatcher.execute(Task.of("t", ""), null));
        release.countDown();
        assertThat(first.result().toCompletableFuture().get(5, TimeUnit.SECONDS).status()).isEqualTo(Status.SUCCEEDED);
        assertThat(waiting.get(10, TimeUnit.SECONDS).status()).isEqualTo(Status.SUCCEEDED);
    }

    @Test
    void anExecutorsOwnConcurrencyLimitIsEnforced() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        ServiceEntry one = entry("t", 0, blockingUntil(started, release));
        one.maxConcurrency = 1;
        dispatcher.add(one);
        var first = dispatcher.submit(Task.of("t", ""), Duration.ofSeconds(30));
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        Result second = dispatcher.execute(Task.of("t", ""), null);
        release.countDown();
        assertThat(second.rejection()).isEqualTo(Rejection.OVER_CAPACITY);
        assertThat(second.error()).contains(Executor.MAX_CONCURRENCY);
        assertThat(first.result().toCompletableFuture().get(5, TimeUnit.SECONDS).status()).isEqualTo(Status.SUCCEEDED);
        assertThat(dispatcher.limits()).containsEntry("t", 1);
    }

    @Test
    void aLimitLoweredWhileTasksRunCountsThem() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        dispatcher.add(entry("t", 0, blockingUntil(started, release)));
        var first = dispatcher.submit(Task.of("t", ""), Duration.ofSeconds(30));
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        dispatcher.update(settings(Map.of("type_concurrency", new String[] {"t=1"})));
        Result second = dispatcher.execute(Task.of("t", ""), null);
        release.countDown();
        assertThat(second.rejection()).isEqualTo(Rejection.OVER_CAPACITY);
        assertThat(first.result().toCompletableFuture().get(5, TimeUnit.SECONDS).status()).isEqualTo(Status.SUCCEEDED);
        assertThat(dispatcher.execute(Task.of("t", ""), null).status()).isEqualTo(Status.SUCCEEDED);
    }

    @Test
    void aTaskWaitsForATypeThatIsBrieflyAbsent() throws Exception {
        ServiceEntry old = entry("t", 0, replying("old"));
        dispatcher.add(old);
        dispatcher.remove(old);
        var waiting = CompletableFuture.supplyAsync(() -> dispatcher.execute(Task.of("t", ""), null));
        Thread.sleep(100); // the task is now waiting for the type; an update would bring it back now
        dispatcher.add(entry("t", 0, replying("new")));
        Result r = waiting.get(5, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(r.outputAsString()).isEqualTo("new");
    }

    @Test
    void aTypeNeverSeenIsRejectedAtOnce() {
        long start = System.nanoTime();
        Result r = dispatcher.execute(Task.of("never", ""), null);
        assertThat(r.rejection()).isEqualTo(Rejection.UNKNOWN_TYPE);
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.MILLISECONDS.toNanos(500));
    }

    @Test
    void removalDrainsRunningTasks() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        ServiceEntry e = entry("t", 0, executing(context -> {
            started.countDown();
            Thread.sleep(300);
            finished.set(true);
            return Result.succeeded("finished");
        }));
        dispatcher.add(e);
        var running = dispatcher.submit(Task.of("t", ""), Duration.ofSeconds(30));
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        dispatcher.remove(e); // blocks until the task is done
        assertThat(finished).isTrue();
        assertThat(running.result().toCompletableFuture().get(1, TimeUnit.SECONDS).outputAsString()).isEqualTo("finished");
    }

    @Test
    void anExecutorThatThrowsIsAnErrorNotACrash() {
        dispatcher.add(entry("t", 0, executing(context -> {
            throw new IllegalStateException("boom");
        })));
        Result r = dispatcher.execute(Task.of("t", ""), null);
        assertThat(r.status()).isEqualTo(Status.ERROR);
        assertThat(r.error()).contains("boom");
    }

    @Test
    void badConfigurationNamesTheKey() {
        assertThatThrownBy(() -> settings(Map.of("max_concurrency", 0))).hasMessageContaining("max_concurrency");
        assertThatThrownBy(() -> settings(Map.of("type_concurrency", new String[] {"command"})))
                .hasMessageContaining("type_concurrency").hasMessageContaining("type=N");
        assertThatThrownBy(() -> settings(Map.of("type_concurrency", new String[] {"command=x"})))
                .hasMessageContaining("type_concurrency");
        assertThatThrownBy(() -> settings(Map.of("default_timeout_seconds", -1.0))).hasMessageContaining("default_timeout_seconds");
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
