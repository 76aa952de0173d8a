package dev.ferry.runtime.tests;

import static dev.ferry.runtime.tests.Bundles.active;
import static dev.ferry.runtime.tests.Bundles.await;
import static dev.ferry.runtime.tests.Bundles.install;
import static dev.ferry.runtime.tests.Bundles.run;
import static dev.ferry.runtime.tests.Bundles.update;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.executor.api.ExecutorInfo;
import dev.ferry.executor.api.ExecutorRegistry;
import dev.ferry.executor.api.Rejection;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;
import dev.ferry.executor.api.TaskHandle;
import dev.ferry.testing.osgi.Configurations;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/** The registry seen through real bundles installed, updated and uninstalled in a real framework. */
@ExtendWith({BundleContextExtension.class, ServiceExtension.class})
class RegistryTest {
    private static final Duration SHORT = Duration.ofSeconds(10);

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 10_000)
    ExecutorRegistry registry;

    @InjectService(timeout = 10_000)
    ConfigurationAdmin configAdmin;

    @BeforeEach
    void shortGrace() throws Exception {
        configure(Map.of("absent_grace_ms", 1000L));
    }

    @AfterEach
    void defaults() throws Exception {
        configure(Map.of("absent_grace_ms", 10_000L, "type_concurrency", new String[0]));
    }

    @Test
    void installUpdateAndUninstallAreSeenThroughTheRegistry() throws Exception {
        Bundle swap = install(context, "swap-v1.jar");
        await(
                "swap 1.0.0 registered",
                SHORT,
                () -> active(registry, "swap")
                        .map(ExecutorInfo::bundleVersion)
                        .orElse("")
                        .equals("1.0.0"));
        assertThat(run(registry, "swap", "", SHORT).outputAsString()).isEqualTo("v1");

        update(context, swap, "swap-v2.jar");
        await(
                "swap 2.0.0 registered",
                SHORT,
                () -> active(registry, "swap")
                        .map(ExecutorInfo::bundleVersion)
                        .orElse("")
                        .equals("2.0.0"));
        Result r = run(registry, "swap", "", SHORT);
        assertThat(r.outputAsString()).isEqualTo("v2");
        assertThat(r.metadata()).containsEntry(Result.EXECUTED_BY, "dev.ferry.test.swap/2.0.0");

        swap.uninstall();
        await("swap gone", SHORT, () -> active(registry, "swap").isEmpty());
        Result gone = run(registry, "swap", "", SHORT);
        assertThat(gone.status()).isEqualTo(Status.REJECTED);
        assertThat(gone.rejection()).isEqualTo(Rejection.UNKNOWN_TYPE);
        assertThat(gone.error()).contains("no executor serves type 'swap'");
    }

    @Test
    void anUpdateUnderSteadyLoadLosesNoTask() throws Exception {
        Bundle swap = install(context, "swap-v1.jar");
        await("swap registered", SHORT, () -> active(registry, "swap").isPresent());

        AtomicBoolean stop = new AtomicBoolean();
        List<Result> results = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Void>> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            clients.add(CompletableFuture.runAsync(() -> {
                while (!stop.get()) {
                    try {
                        results.add(run(registry, "swap", "5", SHORT));
                    } catch (Exception e) {
                        results.add(Result.error("client failed: " + e));
                    }
                }
            }));
        }
        await("load running on v1", SHORT, () -> results.size() > 40);
        update(context, swap, "swap-v2.jar");
        int afterUpdate = results.size();
        await("load running on v2", SHORT, () -> results.size() > afterUpdate + 40);
        stop.set(true);
        CompletableFuture.allOf(clients.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);

        Map<Status, Long> byStatus =
                results.stream().collect(Collectors.groupingBy(Result::status, Collectors.counting()));
        assertThat(byStatus)
                .as(
                        "every task of %d succeeded: %s",
                        results.size(),
                        results.stream()
                                .filter(r -> r.status() != Status.SUCCEEDED)
                                .limit(3)
                                .toList())
                .containsOnlyKeys(Status.SUCCEEDED);
        assertThat(results).extracting(Result::outputAsString).contains("v1", "v2");
        // how long the swap held tasks up: the slowest task, against the 5 ms a task takes
        long slowest = results.stream()
                .mapToLong(r -> Long.parseLong(r.metadata().get(Result.DURATION_MICROS)))
                .max()
                .orElse(0);
        System.out.printf(
                "update under load: %d tasks, none lost; slowest task %d ms (a task sleeps 5 ms)%n",
                results.size(), slowest / 1000);
    }

    @Test
    void anUninstallWhileATaskRunsLetsItFinish() throws Exception {
        Bundle swap = install(context, "swap-v1.jar");
        await("swap registered", SHORT, () -> active(registry, "swap").isPresent());

        TaskHandle running = registry.submit(Task.of("swap", "800"), SHORT);
        await(
                "task running",
                SHORT,
                () -> active(registry, "swap").map(ExecutorInfo::inFlight).orElse(0) == 1);
        CompletableFuture<Void> uninstall = CompletableFuture.runAsync(() -> {
            try {
                swap.uninstall();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        Result r = running.result().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(r.outputAsString()).isEqualTo("v1");
        uninstall.get(10, TimeUnit.SECONDS);
        assertThat(swap.getState()).isEqualTo(Bundle.UNINSTALLED);
    }

    @Test
    void theDeadlineHoldsAgainstAnExecutorThatIgnoresIt() throws Exception {
        install(context, "misc.jar");
        await("stubborn registered", SHORT, () -> active(registry, "stubborn").isPresent());

        long start = System.nanoTime();
        Result r = run(registry, "stubborn", "", Duration.ofMillis(200));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(r.status()).isEqualTo(Status.TIMED_OUT);
        assertThat(r.error()).contains("deadline of 0.200s passed");
        // the executor spins for 3 s; the caller hears back at the deadline (plus the watchdog's tick)
        assertThat(millis).isBetween(190L, 1500L);
    }

    @Test
    void aFullTypeRejectsClearly() throws Exception {
        configure(Map.of("type_concurrency", new String[] {"swap=1"}, "absent_grace_ms", 1000L));
        install(context, "swap-v1.jar");
        await("swap registered", SHORT, () -> active(registry, "swap").isPresent());

        TaskHandle first = registry.submit(Task.of("swap", "5000"), SHORT);
        await(
                "first task running",
                SHORT,
                () -> active(registry, "swap").map(ExecutorInfo::inFlight).orElse(0) == 1);
        Result second = run(registry, "swap", "0", SHORT);
        first.cancel();

        assertThat(second.status()).isEqualTo(Status.REJECTED);
        assertThat(second.rejection()).isEqualTo(Rejection.OVER_CAPACITY);
        assertThat(second.error()).contains("over capacity").contains("type_concurrency");
        assertThat(first.result()
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS)
                        .status())
                .isEqualTo(Status.CANCELLED);
    }

    @Test
    void theHighestRankingServesAType() throws Exception {
        install(context, "misc.jar");
        await(
                "both ranked services registered",
                SHORT,
                () -> registry.capabilities().stream()
                                .filter(i -> i.type().equals("ranked"))
                                .count()
                        == 2);

        assertThat(run(registry, "ranked", "", SHORT).outputAsString()).isEqualTo("high");
        List<ExecutorInfo> ranked = registry.capabilities().stream()
                .filter(i -> i.type().equals("ranked"))
                .toList();
        assertThat(ranked.get(0).isActive()).isTrue();
        assertThat(ranked.get(0).ranking()).isEqualTo(5);
        assertThat(ranked.get(1).isActive()).isFalse();
    }

    @Test
    void anExecutorWhoseActivationThrowsDisturbsNoOther() throws Exception {
        install(context, "misc.jar");
        await("broken registered", SHORT, () -> active(registry, "broken").isPresent());

        Result broken = run(registry, "broken", "", SHORT);
        assertThat(broken.status()).isEqualTo(Status.ERROR);
        assertThat(broken.error()).contains("could not be activated");
        assertThat(registry.health().get("broken").isHealthy()).isFalse();

        assertThat(run(registry, "ranked", "", SHORT).outputAsString()).isEqualTo("high");
        Result echo = run(registry, "command", "{\"command\":\"echo\",\"args\":[\"still here\"]}", SHORT);
        assertThat(echo.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(echo.outputAsString()).isEqualTo("still here\n");
    }

    @Test
    void noClassOfAnUpdatedRevisionStaysReachable() throws Exception {
        Bundle swap = install(context, "swap-v1.jar");
        await("swap registered", SHORT, () -> active(registry, "swap").isPresent());
        assertThat(run(registry, "swap", "", SHORT).outputAsString()).isEqualTo("v1");
        WeakReference<ClassLoader> oldLoader = new WeakReference<>(
                swap.loadClass("dev.ferry.test.swap.SwapExecutor").getClassLoader());

        update(context, swap, "swap-v2.jar");
        await(
                "swap 2.0.0 registered",
                SHORT,
                () -> active(registry, "swap")
                        .map(ExecutorInfo::bundleVersion)
                        .orElse("")
                        .equals("2.0.0"));
        assertThat(run(registry, "swap", "", SHORT).outputAsString()).isEqualTo("v2");

        await("the 1.0.0 class loader collected", Duration.ofSeconds(20), () -> {
            System.gc();
            return oldLoader.get() == null;
        });
    }

    @Test
    void badTasksAreRejectedWithTheReason() throws Exception {
        Result unknown = run(registry, "no-such-type", "{}", SHORT);
        assertThat(unknown.rejection()).isEqualTo(Rejection.UNKNOWN_TYPE);
        assertThat(unknown.error()).contains("types served now:").contains("command");

        Result invalid = run(registry, "command", "{\"comand\":\"echo\"}", SHORT);
        assertThat(invalid.rejection()).isEqualTo(Rejection.INVALID_PAYLOAD);
        assertThat(invalid.error()).startsWith("comand: unknown field");

        Result negative = registry.execute(Task.of("command", "{\"command\":\"true\"}"), Duration.ofSeconds(-1));
        assertThat(negative.status()).isEqualTo(Status.REJECTED);
        assertThat(negative.error()).contains("timeout");

        assertThat(registry.validate("command", "{\"command\":\"echo\"}".getBytes())
                        .isValid())
                .isTrue();
        assertThat(registry.validate("command", "[]".getBytes()).message()).contains("JSON object");
    }

    /** Replaces the registry's configuration and waits until it applied. */
    private void configure(Map<String, Object> values) throws Exception {
        Configurations.apply(
                context,
                configAdmin,
                "dev.ferry.registry",
                "(objectClass=" + ExecutorRegistry.class.getName() + ")",
                values,
                SHORT);
    }
}
