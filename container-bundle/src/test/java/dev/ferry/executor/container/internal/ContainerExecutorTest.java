package dev.ferry.executor.container.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ferry.executor.api.DirectExecutionContext;
import dev.ferry.executor.api.Health;
import dev.ferry.executor.api.InvalidPayloadException;
import dev.ferry.executor.api.Rejection;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;
import dev.ferry.support.Configs;
import dev.ferry.testing.Needs;
import dev.ferry.testing.StoppingContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container executor against a real engine: {@code .ci/run} starts Podman's Docker-compatible
 * service and builds a busybox image, and sets FERRY_TEST_DOCKER_HOST and FERRY_TEST_IMAGE. Without
 * them the tests are skipped, saying so; under CI they fail instead.
 */
class ContainerExecutorTest {
    static final String HOST = System.getenv("FERRY_TEST_DOCKER_HOST");
    static final String IMAGE = System.getenv("FERRY_TEST_IMAGE");

    @TempDir
    Path dir;

    private final String workerId = "test-" + System.nanoTime();

    @BeforeAll
    static void engine() {
        Needs.present(
                HOST != null && IMAGE != null,
                "a container engine (FERRY_TEST_DOCKER_HOST = unix:///…/podman.sock and" + " FERRY_TEST_IMAGE)");
    }

    @AfterEach
    void nothingLeftBehind() throws Exception {
        assertThat(containers())
                .as("containers of this test's worker id left behind")
                .isEmpty();
    }

    private ContainerExecutor executor(Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>();
        config.put("docker_host", HOST);
        config.put("allowed_images", new String[] {IMAGE});
        config.put("worker_id", workerId);
        config.putAll(extra);
        return new ContainerExecutor(
                ContainerSettings.from(Configs.read(ContainerConfig.class, ContainerConfig.PID, config)));
    }

    private static Result run(ContainerExecutor e, String json) throws Exception {
        return e.prepare(Task.of("container", json))
                .execute(DirectExecutionContext.withTimeout(Duration.ofSeconds(60)));
    }

    private static String json(String... command) {
        StringBuilder sb = new StringBuilder("{\"image\":\"" + IMAGE + "\",\"command\":[");
        for (int i = 0; i < command.length; i++) {
            sb.append(i == 0 ? "" : ",")
                    .append('"')
                    .append(command[i].replace("\\", "\\\\").replace("\"", "\\\""))
                    .append('"');
        }
        return sb.append("]}").toString();
    }

    private static String with(String json, String fields) {
        return json.substring(0, json.length() - 1) + "," + fields + "}";
    }

    @Test
    void aCommandRunsInAContainerAndItsOutputAndExitCodeComeBack() throws Exception {
        ContainerExecutor e = executor(Map.of());
        Result ok = run(e, json("sh", "-c", "echo hello; echo oops >&2"));
        assertThat(ok.status()).as(ok.toString()).isEqualTo(Status.SUCCEEDED);
        assertThat(ok.outputAsString()).isEqualTo("hello\n");
        assertThat(ok.exitCode()).isZero();
        assertThat(ok.metadata())
                .containsEntry("stderr", "oops\n")
                .containsEntry("image", IMAGE)
                .containsKey("container_id");

        Result three = run(e, json("sh", "-c", "exit 3"));
        assertThat(three.status()).isEqualTo(Status.FAILED);
        assertThat(three.exitCode()).isEqualTo(3);

        Result env = run(
                e,
                with(
                        json("sh", "-c", "echo $GREETING from $(pwd) as $(id -u)"),
                        "\"env\":{\"GREETING\":\"hi\"},\"working_dir\":\"/tmp\",\"user\":\"1234\""));
        assertThat(env.outputAsString()).isEqualTo("hi from /tmp as 1234\n");

        Result stdin = run(e, with(json("sh", "-c", "tr a-z A-Z"), "\"stdin\":\"shout\\n\""));
        assertThat(stdin.outputAsString()).isEqualTo("SHOUT\n");
    }

    /**
     * Taken live, output comes while the container runs: the container waits for a file the sink makes only when
     * it has seen "ready" (read after the exit, as without a sink, it would wait until its deadline).
     */
    @Test
    void outputIsStreamedWhileTheContainerRuns() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        ContainerExecutor e = executor(Map.of("allowed_mounts", new String[] {data.toString()}));
        List<String> chunks = new java.util.concurrent.CopyOnWriteArrayList<>();
        dev.ferry.executor.api.OutputSink sink = (channel, bytes, offset, length) -> {
            String text = new String(bytes, offset, length, java.nio.charset.StandardCharsets.UTF_8);
            chunks.add(channel + " " + text);
            if (text.contains("ready")) {
                try {
                    Files.createFile(data.resolve("flag"));
                } catch (java.io.IOException x) {
                    throw new java.io.UncheckedIOException(x);
                }
            }
            return true;
        };
        Result r = e.prepare(Task.of(
                        "container",
                        with(
                                json(
                                        "sh",
                                        "-c",
                                        "echo ready; while [ ! -e /data/flag ]; do sleep 0.05; done; echo done; echo oops >&2; exit 4"),
                                "\"mounts\":[\"" + data + ":/data\"]")))
                .execute(DirectExecutionContext.withTimeout(Duration.ofSeconds(30), sink));
        assertThat(r.status()).as(r.toString()).isEqualTo(Status.FAILED);
        assertThat(r.exitCode()).isEqualTo(4);
        assertThat(r.output()).as("streamed, not kept").isEmpty();
        assertThat(r.metadata()).doesNotContainKey("stderr");
        assertThat(String.join(
                        "",
                        chunks.stream()
                                .filter(c -> c.startsWith("OUTPUT "))
                                .map(c -> c.substring(7))
                                .toList()))
                .isEqualTo("ready\ndone\n");
        assertThat(chunks).contains("STDERR oops\n");
    }

    @Test
    void containersAreLockedDownByDefault() throws Exception {
        ContainerExecutor e = executor(Map.of());
        // no network but loopback, a read-only root with a private /tmp, no capabilities
        assertThat(run(e, json("sh", "-c", "ls /sys/class/net"))
                        .outputAsString()
                        .trim())
                .isEqualTo("lo");
        Result write = run(e, json("sh", "-c", "touch /bin/x 2>&1; echo tmp > /tmp/x && cat /tmp/x"));
        assertThat(write.outputAsString()).contains("Read-only file system").endsWith("tmp\n");
        assertThat(run(e, json("sh", "-c", "grep CapEff /proc/self/status")).outputAsString())
                .isEqualTo("CapEff:\t0000000000000000\n");
        assertThat(run(e, json("sh", "-c", "grep NoNewPrivs /proc/self/status")).outputAsString())
                .isEqualTo("NoNewPrivs:\t1\n");

        // the limits as the engine holds them, read while the container runs
        CompletableFuture<Result> sleeping = CompletableFuture.supplyAsync(() -> {
            try {
                return run(e, json("sleep", "30"));
            } catch (Exception x) {
                throw new IllegalStateException(x);
            }
        });
        Object inspect = awaitOneContainer();
        assertThat(Json.at(inspect, "HostConfig", "Memory")).isEqualTo(256L * 1024 * 1024);
        assertThat(Json.at(inspect, "HostConfig", "PidsLimit")).isEqualTo(256L);
        assertThat(Json.at(inspect, "HostConfig", "NanoCpus")).isEqualTo(1_000_000_000L);
        assertThat(Json.at(inspect, "HostConfig", "Privileged")).isEqualTo(false);
        assertThat(Json.at(inspect, "HostConfig", "ReadonlyRootfs")).isEqualTo(true);
        assertThat(String.valueOf(Json.at(inspect, "Config", "Labels"))).contains("dev.ferry.task=");
        new Engine(Path.of(HOST.substring("unix://".length())))
                .call("POST", "/containers/" + Json.at(inspect, "Id") + "/kill?signal=KILL", null);
        assertThat(sleeping.get(60, TimeUnit.SECONDS).status())
                .isEqualTo(Status.FAILED); // killed from outside: exit 137
    }

    /** The registry's watchdog times a task out through its context (here the test's StoppingContext does): the container dies and goes. */
    @Test
    void aTimeoutOrCancelKillsAndRemovesTheContainer() throws Exception {
        ContainerExecutor e = executor(Map.of());
        StoppingContext late = StoppingContext.withTimeout(Duration.ofSeconds(60));
        CompletableFuture<Result> sleeping = runAsync(e, with(json("sleep", "60"), "\"timeout_seconds\":3"), late);
        awaitOneContainer();
        assertThat(late.remaining())
                .as("timeout_seconds brings the deadline forward")
                .isLessThanOrEqualTo(Duration.ofSeconds(3));
        long start = System.nanoTime();
        Result timedOut = sleeping.get(30, TimeUnit.SECONDS);
        assertThat(timedOut.status()).isEqualTo(Status.TIMED_OUT);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));

        StoppingContext context = StoppingContext.withTimeout(Duration.ofSeconds(60));
        CompletableFuture<Result> running = runAsync(e, json("sleep", "60"), context);
        awaitOneContainer();
        context.cancel();
        assertThat(running.get(30, TimeUnit.SECONDS).status()).isEqualTo(Status.CANCELLED);
    }

    private static CompletableFuture<Result> runAsync(ContainerExecutor e, String json, StoppingContext context) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return context.run(e.prepare(Task.of("container", json)));
            } catch (Exception x) {
                throw new IllegalStateException(x);
            }
        });
    }

    @Test
    void theOperatorsPolicyIsEnforced() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("in.txt"), "from the host\n");
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.createSymbolicLink(data.resolve("escape"), elsewhere);
        ContainerExecutor e = executor(Map.of("allowed_mounts", new String[] {data.toString()}));

        Result other = run(e, "{\"image\":\"registry.example.com/library/alpine:3\",\"command\":[\"true\"]}");
        assertThat(other.status()).isEqualTo(Status.REJECTED);
        assertThat(other.rejection()).isEqualTo(Rejection.POLICY_DENIED);
        assertThat(other.error()).contains("not in allowed_images");

        Result read = run(e, with(json("cat", "/data/in.txt"), "\"mounts\":[\"" + data + ":/data\"]"));
        assertThat(read.outputAsString()).isEqualTo("from the host\n");
        Result write = run(e, with(json("sh", "-c", "echo x > /data/new.txt"), "\"mounts\":[\"" + data + ":/data\"]"));
        assertThat(write.status()).as("read-only by default").isEqualTo(Status.FAILED);
        assertThat(data.resolve("new.txt")).doesNotExist();

        for (String mount : List.of(
                data + ":/data:rw",
                elsewhere + ":/x",
                data.resolve("escape") + ":/x",
                "/proc:/p",
                HOST.substring("unix://".length()) + ":/s",
                "/:/host")) {
            Result denied = run(e, with(json("true"), "\"mounts\":[\"" + mount + "\"]"));
            assertThat(denied.status()).as(mount).isEqualTo(Status.REJECTED);
            assertThat(denied.rejection()).as(mount).isEqualTo(Rejection.POLICY_DENIED);
        }

        ContainerExecutor missing = executor(Map.of("allowed_images", new String[] {"localhost/not-here:1"}));
        Result notHere = run(missing, "{\"image\":\"localhost/not-here:1\",\"command\":[\"true\"]}");
        assertThat(notHere.status()).isEqualTo(Status.ERROR);
        assertThat(notHere.error())
                .contains("'localhost/not-here:1' is not on this host")
                .contains("pull = never");
    }

    /**
     * Security round 2, #3: a folder inside a read-write allowed folder is never mounted on its own, since a
     * task with that folder can swap it for a symlink between the check and the engine's mount (9 of 80 tasks
     * once printed an outside folder's secret). Tasks race a swapper here: none is let through, none prints
     * the secret; the read-write folder itself mounts, and a container can neither be given / as a target nor
     * the engine's socket through a symlinked docker_host.
     */
    @Test
    void aSwappableMountIsRefusedAndTheEnginesSocketIsFoundThroughSymlinks() throws Exception {
        Path scratch = Files.createDirectories(dir.resolve("scratch"));
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "outside secret\n");
        Path a = scratch.resolve("a");
        ContainerExecutor e = executor(Map.of("allowed_mounts", new String[] {scratch + ":rw"}));
        java.util.concurrent.atomic.AtomicBoolean swapping = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread swapper = new Thread(
                () -> {
                    while (swapping.get()) {
                        try {
                            Files.deleteIfExists(a);
                            Files.createDirectory(a);
                            Files.delete(a);
                            Files.createSymbolicLink(a, outside);
                        } catch (java.io.IOException ignored) {
                            // the race goes on
                        }
                    }
                },
                "swapper");
        swapper.start();
        try {
            for (int i = 0; i < 20; i++) {
                Result r;
                try {
                    r = run(e, with(json("cat", "/x/secret"), "\"mounts\":[\"" + a + ":/x\"]"));
                } catch (dev.ferry.executor.api.InvalidPayloadException gone) {
                    continue; // caught between delete and create: "does not exist"
                }
                assertThat(r.outputAsString()).doesNotContain("outside secret");
                assertThat(r.status()).as(r.error()).isEqualTo(Status.REJECTED);
                assertThat(r.error())
                        .satisfiesAnyOf(
                                m -> assertThat(m).contains("which tasks may mount read-write"),
                                m -> assertThat(m).contains("is not under allowed_mounts"));
            }
        } finally {
            swapping.set(false);
            swapper.join(10_000);
        }
        Result whole =
                run(e, with(json("sh", "-c", "echo made > /x/made.txt"), "\"mounts\":[\"" + scratch + ":/x:rw\"]"));
        assertThat(whole.status()).as(whole.error()).isEqualTo(Status.SUCCEEDED);
        assertThat(scratch.resolve("made.txt")).hasContent("made");

        assertThatThrownBy(() -> run(e, with(json("true"), "\"mounts\":[\"" + scratch + ":/\"]")))
                .isInstanceOf(dev.ferry.executor.api.InvalidPayloadException.class)
                .hasMessageContaining("mount target");
        assertThat(scratch.resolve("etc")).doesNotExist();

        // docker_host through a symlinked folder: the real folder holding the socket is still never mounted
        Path socketFolder = Path.of(HOST.substring("unix://".length())).getParent();
        Path link = Files.createSymbolicLink(dir.resolve("engine"), socketFolder);
        Map<String, Object> config = new HashMap<>(
                Map.of("docker_host", "unix://" + link.resolve("podman.sock"), "allowed_mounts", new String[] {
                    socketFolder.toString()
                }));
        assertThatThrownBy(
                        () -> ContainerSettings.from(Configs.read(ContainerConfig.class, ContainerConfig.PID, config)))
                .hasMessageContaining("allowed_mounts")
                .hasMessageContaining("socket");
    }

    /**
     * Security round 2, #25: a container killed for its memory limit came back as exit 137 and nothing more
     * (Podman on cgroup v1 does not report the kill). The answer says what killed it and the likely cause.
     */
    @Test
    void aContainerOverItsMemoryLimitSaysSo() throws Exception {
        ContainerExecutor e = executor(Map.of("memory_bytes", 16L * 1024 * 1024));
        Result r = run(e, json("dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"));
        assertThat(r.status()).isEqualTo(Status.FAILED);
        assertThat(r.exitCode()).isEqualTo(137);
        assertThat(r.error()).contains("memory_bytes 16777216");
        assertThat(r.metadata().get("oom_killed")).isIn("true", "unknown");
    }

    /** No registry is reachable here: what is checked is whom the worker would pull from, and that a failed pull says why. */
    @Test
    void imagesArePulledOnlyFromAllowedRegistries() throws Exception {
        ContainerExecutor strict = executor(Map.of(
                "allowed_images",
                new String[] {"localhost:1/team/tool:1"},
                "pull",
                "if_missing",
                "allowed_registries",
                new String[] {"registry.example.com"}));
        Result refused = run(strict, "{\"image\":\"localhost:1/team/tool:1\",\"command\":[\"true\"]}");
        assertThat(refused.status()).isEqualTo(Status.REJECTED);
        assertThat(refused.rejection()).isEqualTo(Rejection.POLICY_DENIED);
        assertThat(refused.error()).contains("would be pulled from localhost:1, which is not in allowed_registries");

        ContainerExecutor shortNames = executor(Map.of(
                "allowed_images", new String[] {"nosuchtool:1"}, "pull", "always", "allowed_registries", new String[] {
                    "registry.example.com"
                }));
        Result shortName = run(shortNames, "{\"image\":\"nosuchtool:1\",\"command\":[\"true\"]}");
        assertThat(shortName.status()).isEqualTo(Status.REJECTED);
        assertThat(shortName.error()).contains("names no registry, and a short name is never pulled");

        ContainerExecutor allowed = executor(Map.of(
                "allowed_images",
                new String[] {"localhost:1/team/tool:1"},
                "pull",
                "if_missing",
                "allowed_registries",
                new String[] {"localhost:1"}));
        Result failed = run(allowed, "{\"image\":\"localhost:1/team/tool:1\",\"command\":[\"true\"]}");
        assertThat(failed.status()).as(failed.toString()).isEqualTo(Status.ERROR);
        assertThat(failed.error()).contains("pulling image 'localhost:1/team/tool:1' from localhost:1 failed");
    }

    @Test
    void outputIsCappedAndFlagged() throws Exception {
        ContainerExecutor e = executor(Map.of("max_output_bytes", 1000));
        // 100 MB through the engine's log stream, read to the end and dropped past the cap (long lines: the
        // engine stores a log entry per line, and 50 million of them would take minutes to store)
        Result big = run(e, json("sh", "-c", "head -c 104857600 /dev/zero | tr '\\0' y; yes e | head -c 5000 >&2"));
        assertThat(big.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(big.output()).hasSize(1000).containsOnly((byte) 'y');
        assertThat(big.metadata()).containsEntry("stdout_truncated", "true").containsEntry("stderr_truncated", "true");
        assertThat(big.metadata().get("stderr")).hasSize(1000);
    }

    @Test
    void anEngineThatIsDownIsAnErrorSayingWhere() throws Exception {
        Path socket = dir.resolve("down.sock");
        ContainerExecutor e = executor(Map.of("docker_host", "unix://" + socket));
        Result down = run(e, json("true"));
        assertThat(down.status()).isEqualTo(Status.ERROR);
        assertThat(down.error()).contains("cannot reach the engine at " + socket);
    }

    @Test
    void badPayloadsAreRefusedByName() {
        ContainerExecutor e = executor(Map.of());
        for (String[] bad : new String[][] {
            {"{\"image\":\"" + IMAGE + "\",\"comand\":[\"true\"]}", "comand"},
            {"{\"command\":[\"true\"]}", "image"},
            {"{\"image\":\"" + IMAGE + "\",\"command\":[]}", "command"},
            {"{\"image\":\"" + IMAGE + "\",\"mounts\":[\"relative:/x\"]}", "mounts"},
            {"{\"image\":\"" + IMAGE + "\",\"working_dir\":\"tmp\"}", "working_dir"},
            {"{\"image\":\"" + IMAGE + "\",\"user\":\"root; rm\"}", "user"},
            {"{\"image\":\"" + IMAGE + "\",\"timeout_seconds\":0}", "timeout_seconds"}
        }) {
            try {
                e.prepare(Task.of("container", bad[0]));
                fail("accepted " + bad[0]);
            } catch (InvalidPayloadException x) {
                assertThat(x.getMessage()).as(bad[0]).contains(bad[1]);
            }
        }
    }

    @Test
    void containersAnEarlierRunLeftBehindAreRemovedAtStart() throws Exception {
        Engine engine = new Engine(Path.of(HOST.substring("unix://".length())));
        byte[] body = Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("Image", IMAGE);
            g.writeArrayFieldStart("Cmd");
            g.writeString("sleep");
            g.writeString("600");
            g.writeEndArray();
            g.writeObjectFieldStart("Labels");
            g.writeStringField(ContainerExecutor.WORKER_LABEL, workerId);
            g.writeStringField(ContainerExecutor.PROCESS_LABEL, "1@0"); // a worker process that is gone
            g.writeStringField(ContainerExecutor.TASK_LABEL, "task-lost");
            g.writeEndObject();
            g.writeEndObject();
        });
        Object id = Json.at(
                Json.read(engine.call("POST", "/containers/create", body).body()), "Id");
        assertThat(engine.call("POST", "/containers/" + id + "/start", null).ok())
                .isTrue();
        assertThat(containers()).hasSize(1);
        ContainerExecutor e = executor(Map.of());
        assertThat(e.removeLeftovers(ContainerSettings.from(Configs.read(
                        ContainerConfig.class,
                        ContainerConfig.PID,
                        Map.of("docker_host", HOST, "allowed_images", new String[] {IMAGE}, "worker_id", workerId)))))
                .isEqualTo(1);
        assertThat(containers()).isEmpty();
    }

    @Test
    void healthSaysWhichEngineAndWhatIsMissing() {
        Health up = executor(Map.of()).health();
        assertThat(up.isHealthy()).as(up.message()).isTrue();
        assertThat(up.message()).contains("API");
        Health noImage = executor(Map.of("allowed_images", new String[] {IMAGE, "localhost/not-here:1"}))
                .health();
        assertThat(noImage.isDegraded()).isTrue();
        assertThat(noImage.message()).contains("localhost/not-here:1");
        Health down = executor(Map.of("docker_host", "unix://" + dir.resolve("no.sock")))
                .health();
        assertThat(down.isHealthy()).isFalse();
        assertThat(down.message()).contains("cannot reach the engine").contains("no.sock");
    }

    @Test
    void aDangerousConfigurationIsRefusedNamingTheKey() {
        for (Object[] bad : new Object[][] {
            {"allowed_mounts", new String[] {"/"}, "root"},
            {"allowed_mounts", new String[] {"/var/run"}, "socket"},
            {"allowed_mounts", new String[] {"/proc"}, "/proc"},
            {"allowed_images", new String[] {"*"}, "every image"},
            {"pull", "always", "allowed_registries"},
            {"network", "host", "none or bridge"},
            {"docker_host", "tcp://10.0.0.1:2375", "unix socket"}
        }) {
            Map<String, Object> config = new HashMap<>(Map.of("docker_host", "unix:///var/run/docker.sock"));
            config.put((String) bad[0], bad[1]);
            try {
                ContainerSettings.from(Configs.read(ContainerConfig.class, ContainerConfig.PID, config));
                fail("accepted " + bad[0]);
            } catch (IllegalArgumentException e) {
                assertThat(e.getMessage()).contains((String) bad[0]).contains((String) bad[2]);
            }
        }
    }

    private List<?> containers() throws Exception {
        Engine engine = new Engine(Path.of(HOST.substring("unix://".length())));
        String filters = java.net.URLEncoder.encode(
                "{\"label\":[\"dev.ferry.worker=" + workerId + "\"]}", java.nio.charset.StandardCharsets.UTF_8);
        return (List<?>) Json.read(engine.call("GET", "/containers/json?all=1&filters=" + filters, null)
                .body());
    }

    /** The one container of this test's worker, inspected, once it runs. */
    private Object awaitOneContainer() throws Exception {
        Object id = dev.ferry.testing.Await.value("a running container", Duration.ofSeconds(30), () -> {
            List<?> all = containers();
            return all.size() == 1 && "running".equals(Json.at(all.get(0), "State"))
                    ? java.util.Optional.of(Json.at(all.get(0), "Id"))
                    : java.util.Optional.empty();
        });
        return Json.read(new Engine(Path.of(HOST.substring("unix://".length())))
                .call("GET", "/containers/" + id + "/json", null)
                .body());
    }
}
