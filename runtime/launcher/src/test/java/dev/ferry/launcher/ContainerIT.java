package dev.ferry.launcher;

import static dev.ferry.launcher.GrpcIT.assertCode;
import static dev.ferry.launcher.GrpcIT.execute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.launcher.GrpcIT.Client;
import dev.ferry.worker.grpc.v1.ExecuteResponse;
import dev.ferry.worker.grpc.v1.Status;
import io.grpc.Status.Code;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container type in the real worker jar, configured by config.yaml, against the real engine that
 * {@code .ci/run} starts (Podman's Docker-compatible service): over gRPC, the registry's deadline, and
 * the containers a killed worker left behind, removed when it starts again.
 */
class ContainerIT {
    static final String HOST = System.getenv("FERRY_TEST_DOCKER_HOST");
    static final String IMAGE = System.getenv("FERRY_TEST_IMAGE");

    @TempDir
    Path home;

    @BeforeAll
    static void engine() {
        dev.ferry.testing.Needs.present(
                HOST != null && IMAGE != null, "a container engine (FERRY_TEST_DOCKER_HOST and FERRY_TEST_IMAGE)");
    }

    private void config() throws IOException {
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(
                home.resolve("etc/config.yaml"),
                "executors:\n  container:\n    docker_host: " + HOST + "\n    allowed_images: [\"" + IMAGE
                        + "\"]\n    worker_id: " + workerId() + "\n");
    }

    private String workerId() {
        return "it-" + home.getFileName();
    }

    private String task(String... command) {
        StringBuilder sb = new StringBuilder("{\"image\":\"" + IMAGE + "\",\"command\":[");
        for (int i = 0; i < command.length; i++) {
            sb.append(i == 0 ? "" : ",").append('"').append(command[i]).append('"');
        }
        return sb.append("]}").toString();
    }

    @Test
    void aContainerTaskOverGrpcAndTheRegistrysDeadline() throws Exception {
        config();
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString());
                Client c = Client.plain(GrpcIT.port(w, "127.0.0.1"))) {
            ExecuteResponse hello = c.worker()
                    .execute(execute("container", task("echo", "hello from a container"))
                            .build());
            assertThat(hello.getStatus()).as(hello.toString()).isEqualTo(Status.SUCCEEDED);
            assertThat(hello.getOutput().toStringUtf8()).isEqualTo("hello from a container\n");
            assertThat(hello.getMetadataMap())
                    .containsKey("container_id")
                    .containsEntry("ferry.executed_by", "dev.ferry.executor.container/0.1.0.SNAPSHOT");
            assertCode(
                    () -> c.worker()
                            .execute(execute("container", "{\"image\":\"registry.example.com/library/alpine:3\"}")
                                    .build()),
                    Code.PERMISSION_DENIED,
                    "allowed_images");

            // the registry's watchdog ends them at the request's deadline, and the containers go: several at once,
            // since the kill and the removal race inside the engine (Podman once refused such a removal)
            long start = System.nanoTime();
            List<com.google.common.util.concurrent.ListenableFuture<ExecuteResponse>> late =
                    new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                late.add(c.futureWorker()
                        .execute(execute("container", task("sleep", "60"))
                                .setTimeout(com.google.protobuf.Duration.newBuilder()
                                        .setSeconds(2))
                                .build()));
            }
            for (var answer : late) {
                assertThat(answer.get(30, java.util.concurrent.TimeUnit.SECONDS).getStatus())
                        .isEqualTo(Status.TIMED_OUT);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
            awaitContainers(0, Duration.ofSeconds(15));
            assertThat(w.output()).doesNotContain("Cannot remove container");

            assertThat(String.join("\n", w.ask("executor:health"))).containsPattern("container +UP +engine .*API");
        }
    }

    /** The README's Podman example: its config.yaml (the socket line pointed at the test's engine) and its shell line. */
    @Test
    void theReadmesPodmanExampleAnswersHi() throws Exception {
        String yaml = Readme.blockAfter("give the worker that socket and the images tasks may use");
        assertThat(yaml).contains("docker_host: unix:///run/ferry/podman.sock\n");
        assumeTrue(
                yaml.contains("allowed_images: [" + IMAGE + "]"),
                "the README's example runs localhost/busybox, the" + " image .ci/run makes; FERRY_TEST_IMAGE is "
                        + IMAGE);
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/config.yaml"), yaml.replace("unix:///run/ferry/podman.sock", HOST));
        String command = Readme.blockAfter("and run a task (here from the shell")
                .lines()
                .findFirst()
                .orElseThrow();
        assertThat(command).startsWith("g! ");
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString())) {
            GrpcIT.port(w, "127.0.0.1");
            List<String> answer = w.ask(command.substring(3));
            assertThat(answer)
                    .anyMatch(l -> l.startsWith("SUCCEEDED  exit=0") && l.contains("by=dev.ferry.executor.container/"));
            assertThat(answer.get(answer.size() - 1)).isEqualTo("hi");
        }
    }

    @Test
    void anEngineThatIsDownFailsItsTasksClearlyAndTheOtherTypesServeOn() throws Exception {
        Files.createDirectories(home.resolve("etc"));
        Path socket = home.resolve("no-engine.sock");
        Files.writeString(
                home.resolve("etc/config.yaml"),
                "executors:\n  container:\n    docker_host: unix://" + socket + "\n    allowed_images: [\"" + IMAGE
                        + "\"]\n");
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString());
                Client c = Client.plain(GrpcIT.port(w, "127.0.0.1"))) {
            ExecuteResponse down =
                    c.worker().execute(execute("container", task("true")).build());
            assertThat(down.getStatus()).isEqualTo(Status.ERROR);
            assertThat(down.getError()).contains("cannot reach the engine at " + socket);
            assertThat(c.worker()
                            .execute(execute("command", "{\"command\":\"echo\",\"args\":[\"still here\"]}")
                                    .build())
                            .getOutput()
                            .toStringUtf8())
                    .isEqualTo("still here\n");
            assertThat(String.join("\n", w.ask("executor:health")))
                    .containsPattern("container +DOWN +cannot reach the engine")
                    .containsPattern("command +UP");
        }
    }

    @Test
    void containersOfAKilledWorkerAreRemovedWhenItStartsAgain() throws Exception {
        config();
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString());
                Client c = Client.plain(GrpcIT.port(w, "127.0.0.1"))) {
            CompletableFuture<Object> running = CompletableFuture.supplyAsync(() -> {
                try {
                    return c.worker()
                            .execute(execute("container", task("sleep", "600")).build());
                } catch (RuntimeException e) {
                    return e; // the worker is killed under it
                }
            });
            awaitContainers(1, Duration.ofSeconds(30));
            w.process.destroyForcibly(); // kill -9: nothing of the worker runs to remove it
            assertThat(w.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            running.get(30, TimeUnit.SECONDS);
        }
        assertThat(containers())
                .as("the killed worker's container is still there")
                .isEqualTo(1);
        try (WorkerProcess again = WorkerProcess.start("--home", home.toString())) {
            GrpcIT.port(again, "127.0.0.1");
            awaitContainers(0, Duration.ofSeconds(30));
            again.await(
                    "the removal logged",
                    Duration.ofSeconds(10),
                    l -> l.contains("WARN") && l.contains("left behind by an earlier run of this worker"));
        }
    }

    private void awaitContainers(int count, Duration within) throws Exception {
        dev.ferry.testing.Await.until(count + " container(s) of this worker", within, () -> containers() == count);
    }

    /** This worker's containers, counted through the engine's API (GET /containers/json by label). */
    private int containers() throws IOException {
        String filters =
                URLEncoder.encode("{\"label\":[\"dev.ferry.worker=" + workerId() + "\"]}", StandardCharsets.UTF_8);
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(HOST.substring("unix://".length())));
            Channels.newOutputStream(ch)
                    .write(("GET /v1.41/containers/json?all=1&filters=" + filters
                                    + " HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            InputStream in = Channels.newInputStream(ch);
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            Matcher ids = Pattern.compile("\"Id\"\\s*:").matcher(all.toString(StandardCharsets.UTF_8));
            int n = 0;
            while (ids.find()) {
                n++;
            }
            return n;
        }
    }
}
