package dev.ferry.runtime.tests;

import static dev.ferry.runtime.tests.Bundles.await;
import static dev.ferry.runtime.tests.Bundles.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.executor.api.ExecutorRegistry;
import dev.ferry.executor.api.Rejection;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;
import dev.ferry.executor.api.TaskHandle;
import dev.ferry.testing.osgi.Configurations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/** The command executor through the real registry: deadlines and cancels kill the whole tree. */
@ExtendWith({BundleContextExtension.class, ServiceExtension.class})
class CommandTest {
    private static final Duration SHORT = Duration.ofSeconds(10);
    /**
     * A shell that records its pid, a background child's, and a daemon's that left the tree. Each reads
     * its own pid from /proc/self/stat (a shell builtin's read, so the shell's own): the program runs in
     * a PID namespace of its own, where $$ is the namespace's number, while /proc is the worker's.
     */
    private static final String TREE = String.join(
            "\n",
            "read -r p _ < /proc/self/stat; echo $p > pids",
            "sh -c 'read -r p _ < /proc/self/stat; echo $p >> pids; exec sleep 300' &",
            "(setsid sh -c 'read -r p _ < /proc/self/stat; echo $p >> pids; exec sleep 300' &)",
            "while [ $(wc -l < pids) -lt 3 ]; do sleep 0.01; done",
            "touch ready",
            "sleep 300");

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 10_000)
    ExecutorRegistry registry;

    @InjectService(timeout = 10_000)
    ConfigurationAdmin configAdmin;

    Path dir;

    @BeforeEach
    void folder() throws IOException {
        dir = Files.createTempDirectory("ferry-command-test");
    }

    @AfterEach
    void defaults() throws Exception {
        configure(Map.of("kill_grace_ms", 2000L, "blocked_commands", new String[0]));
    }

    @Test
    void echoSaysHello() throws Exception {
        Result r = run(registry, "command", "{\"command\":\"echo\",\"args\":[\"hello\"]}", SHORT);
        assertThat(r.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(r.outputAsString()).isEqualTo("hello\n");
        assertThat(r.exitCode()).isZero();
    }

    @Test
    void aTimeoutKillsTheWholeTreeIncludingADaemon() throws Exception {
        Result r = run(registry, "command", script(TREE), Duration.ofSeconds(2));
        assertThat(r.status()).isEqualTo(Status.TIMED_OUT);
        assertThat(Files.exists(dir.resolve("ready")))
                .as("the tree was complete before the deadline")
                .isTrue();
        assertAllDead(pids());
    }

    @Test
    void aCancelKillsTheWholeTree() throws Exception {
        TaskHandle handle = registry.submit(Task.of("command", script(TREE)), Duration.ofSeconds(60));
        await("the tree started", SHORT, () -> Files.exists(dir.resolve("ready")));
        assertThat(handle.cancel()).isTrue();
        Result r = handle.result().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(Status.CANCELLED);
        assertAllDead(pids());
    }

    @Test
    void aTreeThatIgnoresTermIsKilledAfterTheGrace() throws Exception {
        configure(Map.of("kill_grace_ms", 300L));
        Result r = run(registry, "command", script("trap '' TERM\n" + TREE), Duration.ofSeconds(2));
        assertThat(r.status()).isEqualTo(Status.TIMED_OUT);
        assertAllDead(pids());
    }

    @Test
    void theExecutorsConcurrencyLimitIsEnforcedByTheRegistry() throws Exception {
        configure(Map.of("executor.concurrency.max", 1));
        TaskHandle busy = registry.submit(Task.of("command", "{\"command\":\"sleep\",\"args\":[\"5\"]}"), SHORT);
        await(
                "the sleep running",
                SHORT,
                () -> registry.capabilities().stream().anyMatch(i -> i.type().equals("command") && i.inFlight() == 1));
        // the new limit reaches the registry through a service event: ask until it shows, bounded
        long deadline = System.nanoTime() + SHORT.toNanos();
        Result second;
        do {
            second = run(registry, "command", "{\"command\":\"true\"}", SHORT);
        } while (second.status() == Status.SUCCEEDED && System.nanoTime() < deadline);
        busy.cancel();
        assertThat(second.rejection()).isEqualTo(Rejection.OVER_CAPACITY);
        assertThat(second.error()).contains("executor.concurrency.max");
        configure(Map.of("executor.concurrency.max", 64));
    }

    @Test
    void aConfigurationChangeAppliesWithoutARestart() throws Exception {
        configure(Map.of("blocked_commands", new String[] {"echo"}));
        Result blocked = run(registry, "command", "{\"command\":\"echo\",\"args\":[\"x\"]}", SHORT);
        assertThat(blocked.rejection()).isEqualTo(Rejection.POLICY_DENIED);

        configure(Map.of("blocked_commands", new String[0]));
        assertThat(run(registry, "command", "{\"command\":\"echo\",\"args\":[\"x\"]}", SHORT)
                        .status())
                .isEqualTo(Status.SUCCEEDED);
    }

    private String script(String body) throws IOException {
        Files.writeString(dir.resolve("tree.sh"), body + "\n");
        return "{\"command\":\"sh\",\"args\":[\"tree.sh\"],\"working_dir\":\"" + dir + "\"}";
    }

    private List<Long> pids() throws IOException {
        List<Long> pids = Files.readAllLines(dir.resolve("pids")).stream()
                .map(String::trim)
                .map(Long::parseLong)
                .toList();
        assertThat(pids).hasSize(3);
        return pids;
    }

    /**
     * Every pid is gone. A zombie counts as gone only if its parent is PID 1: reaping orphans is
     * init's job, and this test must not depend on the init of the machine it runs on.
     */
    private static void assertAllDead(List<Long> pids) throws InterruptedException {
        await("processes " + pids + " gone", SHORT, () -> pids.stream().noneMatch(CommandTest::alive));
    }

    private static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return !(fields[0].equals("Z") && fields[1].equals("1"));
        } catch (IOException e) {
            return false;
        }
    }

    private void configure(Map<String, Object> values) throws Exception {
        Configurations.apply(
                context,
                configAdmin,
                "dev.ferry.executor.command",
                "(&(objectClass=dev.ferry.executor.api.Executor)(executor.type=command))",
                values,
                SHORT);
    }
}
