package dev.ferry.runtime.tests;

import static dev.ferry.runtime.tests.Bundles.await;
import static dev.ferry.runtime.tests.Bundles.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.executor.api.ExecutorRegistry;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.testing.Needs;
import java.io.InputStream;
import java.net.URL;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * The container bundle in a real framework against the real engine {@code .ci/run} starts: updated,
 * uninstalled and installed again while tasks run, no admitted task lost.
 */
@ExtendWith({BundleContextExtension.class, ServiceExtension.class})
class ContainerTest {
    static final String HOST = System.getenv("FERRY_TEST_DOCKER_HOST");
    static final String IMAGE = System.getenv("FERRY_TEST_IMAGE");
    private static final Duration SHORT = Duration.ofSeconds(30);

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 10_000)
    ExecutorRegistry registry;

    @InjectService(timeout = 10_000)
    ConfigurationAdmin configAdmin;

    @BeforeAll
    static void engine() {
        Needs.present(
                HOST != null && IMAGE != null, "a container engine (FERRY_TEST_DOCKER_HOST and FERRY_TEST_IMAGE)");
    }

    @Test
    void theBundleIsUpdatedUninstalledAndInstalledUnderLoadWithoutLosingATask() throws Exception {
        Configuration c = configAdmin.getConfiguration("dev.ferry.executor.container", "?");
        c.update(new Hashtable<>(
                Map.of("docker_host", HOST, "allowed_images", new String[] {IMAGE}, "worker_id", "in-framework-test")));
        String echo = "{\"image\":\"" + IMAGE + "\",\"command\":[\"echo\",\"hi\"]}";
        await("a container task answered", SHORT, () -> {
            try {
                return run(registry, "container", echo, SHORT).status() == Status.SUCCEEDED;
            } catch (Exception e) {
                return false;
            }
        });
        Bundle bundle = List.of(context.getBundles()).stream()
                .filter(b -> b.getSymbolicName().equals("dev.ferry.executor.container"))
                .findFirst()
                .orElseThrow();
        String location = bundle.getLocation();

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger succeeded = new AtomicInteger();
        List<String> failed = new CopyOnWriteArrayList<>();
        List<Thread> load = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Thread t = new Thread(
                    () -> {
                        while (!stop.get()) {
                            try {
                                Result r = run(registry, "container", echo, SHORT);
                                if (r.status() == Status.SUCCEEDED
                                        && r.outputAsString().equals("hi\n")) {
                                    succeeded.incrementAndGet();
                                } else {
                                    failed.add(r.toString());
                                }
                            } catch (Exception e) {
                                failed.add(e.toString());
                            }
                        }
                    },
                    "container-load-" + i);
            t.start();
            load.add(t);
        }
        try {
            int before = succeeded.get();
            await("tasks flowing", SHORT, () -> succeeded.get() > before + 3);
            bundle.update(); // a new revision from the same location, under load
            Bundles.refresh(context, bundle);
            int afterUpdate = succeeded.get();
            await("tasks flowing after the update", SHORT, () -> succeeded.get() > afterUpdate + 3);

            // uninstalled and installed again within the registry's grace: waiting tasks are served by the new one
            byte[] jar;
            // the launcher installs by reference (reference:file:…): the jar itself is at the file URL
            try (InputStream in = new URL(location.replaceFirst("^reference:", "")).openStream()) {
                jar = in.readAllBytes();
            }
            bundle.uninstall();
            Bundles.refresh(context, bundle);
            Bundle again = context.installBundle(location, new java.io.ByteArrayInputStream(jar));
            again.start();
            int afterReinstall = succeeded.get();
            await("tasks flowing after the reinstall", SHORT, () -> succeeded.get() > afterReinstall + 3);
        } finally {
            stop.set(true);
            for (Thread t : load) {
                t.join(60_000);
            }
            c.delete();
        }
        assertThat(failed)
                .as("tasks lost or failed while the bundle was swapped")
                .isEmpty();
    }
}
