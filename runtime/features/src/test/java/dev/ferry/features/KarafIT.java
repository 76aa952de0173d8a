package dev.ferry.features;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ferry.testing.Await;
import dev.ferry.worker.grpc.v1.ExecuteRequest;
import dev.ferry.worker.grpc.v1.ExecuteResponse;
import dev.ferry.worker.grpc.v1.Status;
import dev.ferry.worker.grpc.v1.WorkerGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The features repository in a real Apache Karaf 4.4.10, as a Karaf user works: repo-add, install,
 * Karaf's own shell, gRPC, an update under load, a feature out and in again, a broken configuration in
 * Karaf's etc/. One Karaf for the whole class; the steps run in order, and once one fails the rest are
 * skipped naming it (each builds on the one before).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(StopAtFirstFailure.class)
class KarafIT {
    private static final String VERSION = System.getProperty("ferry.version", "0.1.0-SNAPSHOT");
    private static final Path TARGET = Path.of("target").toAbsolutePath();
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** A line of {@code bundle:list --no-format}: id, state, level, version, symbolic name, tab-separated. */
    private static final Pattern BUNDLE =
            Pattern.compile("^\\s*(\\d+)\\t(\\w+)\\s*\\t\\s*\\d+\\t(\\S+)\\s*\\t(\\S+)\\s*$", Pattern.MULTILINE);

    @TempDir
    static Path work;

    static Karaf karaf;
    static int grpcPort;
    static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(
                Runtime.version().feature() < 24,
                "Karaf 4.4 does not start on JDK 24+ (its scripts pass -Djava.security.manager=allow): run this on JDK 17-23");
        // the bundles came in through the build (target/it-repo); this module's own artifacts are what its pom attaches
        Path repo = TARGET.resolve("it-repo");
        for (Attached artifact : Attached.fromPom(TARGET.getParent())) {
            artifact.copyInto(repo, VERSION);
        }
        karaf = Karaf.start(Path.of(System.getProperty("karaf.home")), repo, work);
        // the feature ships a commented grpc.cfg and never overwrites one that is there: a free port for this run
        grpcPort = Karaf.freePort();
        Files.writeString(karaf.home.resolve("etc/dev.ferry.grpc.cfg"), "port = " + grpcPort + "\n");
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", grpcPort, InsecureChannelCredentials.create())
                .build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (karaf != null) {
            karaf.close();
        }
    }

    @Test
    @Order(1)
    void theFeaturesInstallAndEveryBundleIsActive() throws Exception {
        // the README's two commands, as written there
        List<String> readme = readmeBlock("## Running inside Karaf");
        assertThat(readme).hasSize(2);
        assertThat(readme.get(0))
                .isEqualTo("feature:repo-add mvn:dev.ferry/ferry-features/" + VERSION + "/xml/features");
        assertThat(karaf.run(readme.get(0))).doesNotContain("Error");
        long start = System.nanoTime();
        String installed = karaf.run(readme.get(1));
        assertThat(installed).doesNotContain("Error");
        String list = karaf.poll(
                "executor:list",
                WAIT,
                l -> l.contains("command") && l.contains("http") && l.contains("jdbc") && l.contains("container"));
        long serving = System.nanoTime() - start;
        System.out.printf("Karaf: feature:install ferry to the four types listed: %d ms%n", serving / 1_000_000);
        assertThat(list).contains("dev.ferry.executor.command").contains("active");
        Map<String, String[]> bundles = bundles();
        for (String name : List.of(
                "dev.ferry.executor.api",
                "dev.ferry.worker",
                "dev.ferry.worker.grpc",
                "dev.ferry.executor.command",
                "dev.ferry.executor.http",
                "dev.ferry.executor.jdbc",
                "dev.ferry.executor.container")) {
            assertThat(bundles).containsKey(name);
            assertThat(bundles.get(name)[1]).as(name).isEqualTo("Active");
        }
        assertThat(karaf.home.resolve("etc/dev.ferry.executor.command.cfg"))
                .as("the feature's configuration file")
                .exists();
    }

    @Test
    @Order(2)
    void karafsShellRunsTheExecutorCommands() throws Exception {
        String echo = karaf.run("executor:run command '{\"command\":\"echo\",\"args\":[\"from-karaf\"]}'");
        assertThat(echo)
                .contains("SUCCEEDED")
                .contains("by=dev.ferry.executor.command/")
                .contains("from-karaf");
        // --follow: the output printed as it comes, on the command's own session, then the outcome
        String followed =
                karaf.run("executor:run --follow command '{\"command\":\"sh\",\"args\":[\"-c\",\"echo out-line;"
                        + " echo err-line >&2\"]}'");
        // (bin/client shows the session's stdout only: the stderr line goes to the session's stderr)
        assertThat(followed).contains("out-line").contains("SUCCEEDED").doesNotContain("--- output ---");
        // maintenance: drain and resume in Karaf's shell
        assertThat(karaf.run("executor:drain http 'proxy change'")).contains("type 'http' drained");
        assertThat(karaf.run("executor:run http '{\"url\":\"http://127.0.0.1:1/\"}'"))
                .contains("REJECTED (drained)")
                .contains("proxy change");
        assertThat(karaf.run("executor:resume http")).contains("type 'http' takes tasks again");
        // the audit trail goes to Karaf's data/log
        Path audit = karaf.home.resolve("data/log/ferry-audit.log");
        karaf.poll("executor:list", WAIT, l -> Files.exists(audit));
        String invalid = karaf.run("executor:validate command '{\"command\":\"echo\",\"argz\":[]}'");
        assertThat(invalid).contains("argz: unknown field");
        // the embedded default datasource, its data under Karaf's data/
        String sql = karaf.poll(
                "executor:run jdbc '{\"datasource\":\"default\",\"query\":\"select 1 as answer\"}'",
                WAIT,
                l -> l.contains("[{\"answer\":1}]"));
        assertThat(sql).contains("SUCCEEDED");
        assertThat(karaf.home.resolve("data/ferry/h2")).isDirectory();
        assertThat(karaf.home.resolve("etc/dev.ferry.datasource-default.cfg")).exists();
    }

    @Test
    @Order(3)
    void theGrpcApiAnswersFromInsideKaraf() throws Exception {
        ExecuteResponse r = execute("from-grpc");
        assertThat(r.getStatus()).as(r.getError()).isEqualTo(Status.SUCCEEDED);
        assertThat(r.getOutput().toStringUtf8()).isEqualTo("from-grpc\n");
    }

    /** bundle:update of the command bundle while tasks stream in: none lost, no other bundle touched. */
    @Test
    @Order(4)
    void updatingTheCommandBundleUnderLoadLosesNoTask() throws Exception {
        Map<String, String[]> before = bundles();
        String commandId = before.get("dev.ferry.executor.command")[0];
        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> load = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            Thread th = new Thread(() -> {
                while (running.get()) {
                    try {
                        ExecuteResponse r = execute("steady");
                        if (r.getStatus() != Status.SUCCEEDED) {
                            failures.add(r.getStatus() + " " + r.getError());
                        }
                    } catch (RuntimeException e) {
                        failures.add(e.toString());
                    }
                    done.incrementAndGet();
                }
            });
            th.start();
            load.add(th);
        }
        try {
            Await.until("20 tasks before the update", Duration.ofSeconds(30), () -> done.get() >= 20);
            assertThat(karaf.run("bundle:update " + commandId)).doesNotContain("Error");
            int at = done.get();
            Await.until("20 more tasks after it", Duration.ofSeconds(30), () -> done.get() >= at + 20);
        } finally {
            running.set(false);
            for (Thread th : load) {
                th.join(60_000);
            }
        }
        assertThat(failures).as("tasks lost or failed during the update").isEmpty();
        assertThat(done.get()).isGreaterThan(40);
        assertThat(karaf.log())
                .contains("Executor for type 'command' removed")
                .contains("Executor for type 'command' is available");
        Map<String, String[]> after = bundles();
        for (Map.Entry<String, String[]> e : before.entrySet()) {
            assertThat(after.get(e.getKey()))
                    .as(e.getKey() + ": same id and state")
                    .containsExactly(e.getValue());
        }
    }

    /**
     * Each feature on its own: ferry installs them all as one (Karaf keeps what a root feature needs), so a
     * user who wants to drop a type installs the features one by one; then ferry-http goes and comes back
     * while the others serve.
     */
    @Test
    @Order(5)
    void oneExecutorFeatureGoesAndComesBackAlone() throws Exception {
        assertThat(karaf.run("feature:uninstall ferry")).doesNotContain("Error");
        assertThat(
                        karaf.run(
                                "feature:install ferry-registry ferry-grpc ferry-command ferry-http ferry-jdbc ferry-container"))
                .doesNotContain("Error");
        karaf.poll(
                "executor:list",
                WAIT,
                l -> l.contains("dev.ferry.executor.http") && l.contains("dev.ferry.executor.command"));
        assertThat(karaf.run("feature:uninstall ferry-http")).doesNotContain("Error");
        karaf.poll(
                "executor:list",
                WAIT,
                l -> !l.contains("dev.ferry.executor.http")
                        && l.contains("dev.ferry.executor.command")
                        && l.contains("dev.ferry.executor.jdbc"));
        assertThat(waitForGrpc().getStatus())
                .as("command still served over gRPC")
                .isEqualTo(Status.SUCCEEDED);
        assertThat(karaf.run("executor:run http '{\"url\":\"http://127.0.0.1:1/\"}'"))
                .contains("no executor serves type 'http'");
        assertThat(karaf.run("feature:install ferry-http")).doesNotContain("Error");
        karaf.poll("executor:list", WAIT, l -> l.contains("dev.ferry.executor.http"));
    }

    /** The gRPC API after a reinstall: its port opens again within a bounded wait. */
    private static ExecuteResponse waitForGrpc() throws InterruptedException {
        return Await.value(
                "the gRPC API to answer", Duration.ofSeconds(60), () -> java.util.Optional.of(execute("still-here")));
    }

    /** A typo in Karaf's etc/ is refused as in the worker: the previous configuration stays, and it is said. */
    @Test
    @Order(6)
    void aBrokenConfigurationInKarafsEtcIsRefusedAndSaid() throws Exception {
        Path cfg = karaf.home.resolve("etc/dev.ferry.executor.command.cfg");
        Files.writeString(cfg, "blocked_commands = ls\n");
        karaf.poll("executor:run command '{\"command\":\"ls\"}'", WAIT, l -> l.contains("REJECTED"));
        Files.writeString(cfg, "blocked_comands = ls\n");
        String list = karaf.poll("executor:list", WAIT, l -> l.contains("UP, but"));
        assertThat(list).contains("blocked_comands").contains("did you mean 'blocked_commands'?");
        assertThat(karaf.run("executor:run command '{\"command\":\"ls\"}'"))
                .as("still blocked")
                .contains("REJECTED");
        Files.writeString(cfg, "blocked_commands = rm\n");
        karaf.poll("executor:list", WAIT, l -> l.contains("dev.ferry.executor.command") && !l.contains("UP, but"));
        assertThat(karaf.run("executor:run command '{\"command\":\"ls\",\"args\":[\"/\"]}'"))
                .contains("SUCCEEDED");
    }

    /**
     * config.yaml in Karaf's etc/: applied, then changed through Karaf's config: commands (which Karaf
     * writes back to a .cfg file), then applied again when the file changes, as the README says.
     */
    @Test
    @Order(7)
    void configYamlInKarafsEtcAndKarafsConfigCommands() throws Exception {
        Files.deleteIfExists(karaf.home.resolve("etc/dev.ferry.executor.command.cfg")); // one place per configuration
        Path yaml = karaf.home.resolve("etc/config.yaml");
        Files.writeString(yaml, "executors:\n  command:\n    blocked_commands: [ls]\n  http:\n    enabled: false\n");
        karaf.poll("executor:run command '{\"command\":\"ls\"}'", WAIT, l -> l.contains("REJECTED (policy denied)"));
        assertThat(karaf.run("executor:run http '{\"url\":\"http://127.0.0.1:1/\"}'"))
                .contains("disabled in config.yaml");

        assertThat(karaf.run("config:property-set -p dev.ferry.executor.command blocked_commands rm"))
                .doesNotContain("Error");
        karaf.poll("executor:run command '{\"command\":\"ls\",\"args\":[\"/\"]}'", WAIT, l -> l.contains("SUCCEEDED"));
        assertThat(karaf.run("executor:config command")).containsPattern("blocked_commands +set at runtime .* rm");
        assertThat(karaf.log())
                .contains("dev.ferry.executor.command was changed outside")
                .contains("(blocked_commands)");

        Files.writeString(yaml, "executors:\n  command:\n    blocked_commands: [ls, cat]\n");
        karaf.poll("executor:run command '{\"command\":\"ls\"}'", WAIT, l -> l.contains("REJECTED (policy denied)"));
        assertThat(karaf.run("executor:config command"))
                .containsPattern("blocked_commands +config.yaml line 3 +\\[ls, cat]");
        karaf.poll(
                "executor:run http '{\"url\":\"http://127.0.0.1:1/\"}'",
                WAIT,
                l -> !l.contains("disabled in config.yaml"));

        Files.delete(yaml);
        karaf.poll("executor:run command '{\"command\":\"ls\",\"args\":[\"/\"]}'", WAIT, l -> l.contains("SUCCEEDED"));
    }

    /** The lines of the first fenced block after the README line holding {@code marker}. */
    private static List<String> readmeBlock(String marker) throws java.io.IOException {
        List<String> lines = Files.readAllLines(Path.of("../../README.md"));
        int at = 0;
        while (!lines.get(at).contains(marker)) {
            at++;
        }
        while (!lines.get(at).startsWith("```")) {
            at++;
        }
        List<String> block = new ArrayList<>();
        for (int i = at + 1; !lines.get(i).startsWith("```"); i++) {
            block.add(lines.get(i));
        }
        return block;
    }

    private static ExecuteResponse execute(String word) {
        return WorkerGrpc.newBlockingStub(channel)
                .withDeadlineAfter(60, TimeUnit.SECONDS)
                .execute(ExecuteRequest.newBuilder()
                        .setTaskType("command")
                        .setPayload(ByteString.copyFromUtf8("{\"command\":\"echo\",\"args\":[\"" + word + "\"]}"))
                        .build());
    }

    /** Symbolic name to {id, state, version} of every bundle. */
    private static Map<String, String[]> bundles() throws Exception {
        String out = karaf.run("bundle:list -s -t 0 --no-format");
        Map<String, String[]> m = new TreeMap<>();
        Matcher matcher = BUNDLE.matcher(out);
        while (matcher.find()) {
            m.put(matcher.group(4), new String[] {matcher.group(1), matcher.group(2), matcher.group(3)});
        }
        assertThat(m).as("bundle:list parsed from:\n" + out).isNotEmpty();
        return m;
    }
}
