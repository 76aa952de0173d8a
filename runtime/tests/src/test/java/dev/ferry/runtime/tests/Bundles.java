package dev.ferry.runtime.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.executor.api.ExecutorInfo;
import dev.ferry.executor.api.ExecutorRegistry;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Task;
import dev.ferry.testing.Await;
import dev.ferry.testing.osgi.Refresh;
import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/** Helpers shared by the in-framework tests: test bundles, refresh, bounded waits. */
final class Bundles {
    private Bundles() {}

    /** Installs and starts one of the test bundles packed under tb/ in this test bundle. */
    static Bundle install(BundleContext context, String name) throws Exception {
        try (InputStream in = open(name)) {
            Bundle b = context.installBundle("ferry-test:" + name, in);
            b.start();
            return b;
        }
    }

    static InputStream open(String name) {
        InputStream in = Bundles.class.getResourceAsStream("/tb/" + name);
        assertThat(in).as("test bundle tb/%s packed into the test bundle", name).isNotNull();
        return in;
    }

    /** Updates a bundle from tb/NAME and refreshes it, as FileInstall or an operator would. */
    static void update(BundleContext context, Bundle bundle, String name) throws Exception {
        try (InputStream in = open(name)) {
            Refresh.update(context, bundle, in, Duration.ofSeconds(30));
        }
    }

    static void refresh(BundleContext context, Bundle... bundles) throws InterruptedException {
        Refresh.refresh(context, Duration.ofSeconds(30), bundles);
    }

    static Optional<ExecutorInfo> active(ExecutorRegistry registry, String type) {
        return registry.capabilities().stream()
                .filter(i -> i.type().equals(type) && i.isActive())
                .findFirst();
    }

    /** Waits, bounded, for a condition that another thread or the framework makes true. */
    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        Await.until(what, timeout, condition::getAsBoolean);
    }

    static Result run(ExecutorRegistry registry, String type, String payload, Duration timeout) throws Exception {
        return registry.submit(Task.of(type, payload), timeout)
                .result()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
    }
}
