package dev.ferry.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import dev.ferry.worker.grpc.v1.CapabilitiesRequest;
import dev.ferry.worker.grpc.v1.Capability;
import dev.ferry.worker.grpc.v1.ExecuteRequest;
import dev.ferry.worker.grpc.v1.ExecuteResponse;
import dev.ferry.worker.grpc.v1.Status;
import dev.ferry.worker.grpc.v1.ValidateRequest;
import dev.ferry.worker.grpc.v1.ValidateResponse;
import dev.ferry.worker.grpc.v1.WorkerGrpc;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker's gRPC API through a real client over a real socket, against the real worker jar. */
class GrpcIT {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Pattern READY = Pattern.compile("ferry worker ready grpc=(\\S+):(\\d+) .*");
    private static final Path BUNDLES = Path.of("target/it-bundles");
    private static final String TOKEN = "a-test-token-0123456789abcdef";

    @TempDir
    Path home;

    @Test
    void everyRpcAndErrorCode() throws Exception {
        WorkerProcess.cfg(home, "dev.ferry.executor.command", "blocked_commands = rm", "executor.concurrency.max = 1");
        WorkerProcess.cfg(home, "dev.ferry.grpc", "max_inbound_message_bytes = 65536");
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString(), "--no-shell");
                Client c = Client.plain(port(w, "127.0.0.1"))) {
            WorkerGrpc.WorkerBlockingStub worker = c.worker();

            ExecuteResponse echo = worker.execute(execute("command", "{\"command\":\"echo\",\"args\":[\"hello\"]}")
                    .setTaskId("t-1")
                    .putMetadata("origin", "test")
                    .build());
            assertThat(echo.getTaskId()).isEqualTo("t-1");
            assertThat(echo.getStatus()).isEqualTo(Status.SUCCEEDED);
            assertThat(echo.getOutput().toStringUtf8()).isEqualTo("hello\n");
            assertThat(echo.getExitCode()).isZero();
            assertThat(echo.getMetadataMap()).containsKeys("ferry.duration_us", "stderr");

            // a task that ran and failed is an answer, not an error
            ExecuteResponse exit3 =
                    worker.execute(execute("command", "{\"command\":\"sh\",\"args\":[\"-c\",\"exit 3\"]}")
                            .build());
            assertThat(exit3.getStatus()).isEqualTo(Status.FAILED);
            assertThat(exit3.getExitCode()).isEqualTo(3);
            assertThat(exit3.getTaskId()).isNotEmpty();
            ExecuteResponse missing = worker.execute(
                    execute("command", "{\"command\":\"no-such-program-here\"}").build());
            assertThat(missing.getStatus()).isEqualTo(Status.ERROR);
            assertThat(missing.getExitCode()).isEqualTo(-1);

            assertCode(() -> worker.execute(execute("nope", "{}").build()), Code.NOT_FOUND, "nope");
            assertCode(
                    () -> worker.execute(execute("command", "{\"command\":\"echo\",\"argz\":[]}")
                            .build()),
                    Code.INVALID_ARGUMENT,
                    "argz");
            assertCode(() -> worker.execute(execute("command", "not json").build()), Code.INVALID_ARGUMENT, "JSON");
            assertCode(() -> worker.execute(execute("", "{}").build()), Code.INVALID_ARGUMENT, "task_type");
            assertCode(
                    () -> worker.execute(execute("command", "{\"command\":\"echo\"}")
                            .setTimeout(
                                    com.google.protobuf.Duration.newBuilder().setSeconds(-1))
                            .build()),
                    Code.INVALID_ARGUMENT,
                    "timeout");
            assertCode(
                    () -> worker.execute(execute("command", "{\"command\":\"rm\",\"args\":[\"-rf\",\"/tmp/x\"]}")
                            .build()),
                    Code.PERMISSION_DENIED,
                    "rm");
            String big = "{\"command\":\"echo\",\"args\":[\"" + "x".repeat(100_000) + "\"]}";
            assertCode(() -> worker.execute(execute("command", big).build()), Code.RESOURCE_EXHAUSTED, "");

            // over capacity: the command type takes one task at a time here
            ListenableFuture<ExecuteResponse> first = c.futureWorker()
                    .execute(execute("command", "{\"command\":\"sleep\",\"args\":[\"303.5\"]}")
                            .build());
            awaitProcess("303.5", true);
            assertCode(
                    () -> worker.execute(
                            execute("command", "{\"command\":\"echo\"}").build()),
                    Code.RESOURCE_EXHAUSTED,
                    "capacity");
            first.cancel(true);
            awaitProcess("303.5", false);
            // the cancelled task's permit comes back once its executor has returned; the timed-out one
            // is the last command task here, as its permit is held until its process is gone
            ExecuteResponse timedOut = whenFree(
                    worker,
                    execute("command", "{\"command\":\"sleep\",\"args\":[\"5\"]}")
                            .setTimeout(
                                    com.google.protobuf.Duration.newBuilder().setNanos(300_000_000))
                            .build());
            assertThat(timedOut.getStatus()).isEqualTo(Status.TIMED_OUT);

            ValidateResponse valid = worker.validate(validate("command", "{\"command\":\"echo\"}"));
            assertThat(valid.getValid()).isTrue();
            assertThat(valid.getError()).isEmpty();
            ValidateResponse invalid = worker.validate(validate("command", "{\"command\":\"echo\",\"args\":\"x\"}"));
            assertThat(invalid.getValid()).isFalse();
            assertThat(invalid.getError()).contains("args");
            assertCode(() -> worker.validate(validate("nope", "{}")), Code.NOT_FOUND, "nope");
            assertCode(() -> worker.validate(validate("", "{}")), Code.INVALID_ARGUMENT, "task_type");

            Map<String, Capability> caps =
                    worker.capabilities(CapabilitiesRequest.getDefaultInstance()).getExecutorsList().stream()
                            .collect(Collectors.toMap(Capability::getTaskType, x -> x));
            assertThat(caps).containsKeys("command", "http", "jdbc");
            assertThat(caps.get("command").getBundle()).isEqualTo("dev.ferry.executor.command");
            assertThat(caps.get("command").getVersion()).isNotEmpty();
            assertThat(caps.get("command").getHealthy()).isTrue();
            assertThat(caps.get("jdbc").getHealth()).contains("default");

            HealthGrpc.HealthBlockingStub health = c.health();
            assertThat(health.check(check("")).getStatus()).isEqualTo(ServingStatus.SERVING);
            awaitHealth(health, "executor.command", ServingStatus.SERVING);
            awaitHealth(health, "executor.http", ServingStatus.SERVING);
            assertCode(() -> health.check(check("executor.nope")), Code.NOT_FOUND, "");

            assertThat(c.reflect(ServerReflectionRequest.newBuilder()
                                    .setListServices("")
                                    .build())
                            .getListServicesResponse()
                            .getServiceList())
                    .extracting(s -> s.getName())
                    .contains("ferry.worker.v1.Worker", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection");
            ServerReflectionResponse file = c.reflect(ServerReflectionRequest.newBuilder()
                    .setFileContainingSymbol("ferry.worker.v1.Worker")
                    .build());
            assertThat(file.getFileDescriptorResponse().getFileDescriptorProtoCount())
                    .isGreaterThan(0);
            assertThat(file.getFileDescriptorResponse()
                            .getFileDescriptorProto(0)
                            .toStringUtf8())
                    .contains("ferry/worker/v1/worker.proto");
        }
    }

    @Test
    void aDeadlineOrACancelledCallKillsTheProcess() throws Exception {
        // one command at a time, the next waiting for the slot
        WorkerProcess.cfg(home, "dev.ferry.executor.command", "executor.concurrency.max = 1");
        WorkerProcess.cfg(home, "dev.ferry.registry", "queue_wait_ms = 10000");
        int metrics = MetricsIT.freePort();
        WorkerProcess.cfg(home, "dev.ferry.metrics", "port = " + metrics);
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString(), "--no-shell");
                Client c = Client.plain(port(w, "127.0.0.1"))) {
            long start = System.nanoTime();
            assertCode(
                    () -> WorkerGrpc.newBlockingStub(c.channel)
                            .withDeadlineAfter(1500, TimeUnit.MILLISECONDS)
                            .execute(execute("command", "{\"command\":\"sleep\",\"args\":[\"301.5\"]}")
                                    .setTaskId("deadline-1")
                                    .build()),
                    Code.DEADLINE_EXCEEDED,
                    "");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            awaitProcess("301.5", false);
            // the passed call deadline ended the task as a timeout (the README's promise), recorded under its id
            Path audit = home.resolve("data/log/audit.log");
            dev.ferry.testing.Await.until(
                    "deadline-1 in the audit trail",
                    START,
                    () -> Files.exists(audit)
                            && Files.readAllLines(audit).stream()
                                    .anyMatch(l -> l.contains("\"task_id\":\"deadline-1\"")));
            assertThat(Files.readAllLines(audit).stream()
                            .filter(l -> l.contains("\"task_id\":\"deadline-1\""))
                            .findFirst()
                            .orElseThrow())
                    .contains("\"status\":\"TIMED_OUT\"");

            ListenableFuture<ExecuteResponse> call = c.futureWorker()
                    .execute(execute("command", "{\"command\":\"sleep\",\"args\":[\"302.5\"]}")
                            .build());
            awaitProcess("302.5", true);
            call.cancel(true);
            awaitProcess("302.5", false);

            // a call cancelled while its task waits for a slot: the task never runs on
            ListenableFuture<ExecuteResponse> holder = c.futureWorker()
                    .execute(execute("command", "{\"command\":\"sleep\",\"args\":[\"305.5\"]}")
                            .build());
            awaitProcess("305.5", true);
            ListenableFuture<ExecuteResponse> waiting = c.futureWorker()
                    .execute(execute("command", "{\"command\":\"sleep\",\"args\":[\"306.5\"]}")
                            .build());
            awaitWaiting(metrics, 1);
            waiting.cancel(true);
            awaitWaiting(metrics, 0); // the worker saw the cancel: the task left the queue
            holder.cancel(true);
            awaitProcess("305.5", false);
            // the slot is free again: a task sent now runs at once, which it could not if the cancelled one had taken
            // it
            assertThat(whenFree(
                                    c.worker(),
                                    execute("command", "{\"command\":\"echo\"}").build())
                            .getStatus())
                    .isEqualTo(Status.SUCCEEDED);
            assertThat(running("306.5")).as("the cancelled task never started").isFalse();

            // the smaller of the call's deadline and the request's timeout wins
            ExecuteResponse r = c.worker()
                    .execute(execute("command", "{\"command\":\"sleep\",\"args\":[\"304.5\"]}")
                            .setTimeout(
                                    com.google.protobuf.Duration.newBuilder().setNanos(200_000_000))
                            .build());
            assertThat(r.getStatus()).isEqualTo(Status.TIMED_OUT);
            awaitProcess("304.5", false);
        }
    }

    @Test
    void probesAndCancelsGetThroughWhileCallsWaitForASlot() throws Exception {
        WorkerProcess.cfg(home, "dev.ferry.executor.command", "executor.concurrency.max = 1");
        WorkerProcess.cfg(home, "dev.ferry.registry", "queue_wait_ms = 20000");
        WorkerProcess.cfg(home, "dev.ferry.grpc", "threads = 2");
        int metrics = MetricsIT.freePort();
        WorkerProcess.cfg(home, "dev.ferry.metrics", "port = " + metrics);
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString(), "--no-shell");
                Client c = Client.plain(port(w, "127.0.0.1"))) {
            List<ListenableFuture<ExecuteResponse>> calls = new ArrayList<>();
            calls.add(c.futureWorker()
                    .execute(execute("command", "{\"command\":\"sleep\",\"args\":[\"307.5\"]}")
                            .build()));
            awaitProcess("307.5", true);
            // more calls than the two request threads kept ready, all waiting for the one slot: the
            // probes below and the holder's cancel must still get through
            for (int i = 0; i < 4; i++) {
                calls.add(c.futureWorker()
                        .execute(execute("command", "{\"command\":\"echo\"}").build()));
            }
            awaitWaiting(metrics, 4);
            assertThat(HealthGrpc.newBlockingStub(c.channel)
                            .withDeadlineAfter(3, TimeUnit.SECONDS)
                            .check(check(""))
                            .getStatus())
                    .isEqualTo(ServingStatus.SERVING);
            assertThat(WorkerGrpc.newBlockingStub(c.channel)
                            .withDeadlineAfter(3, TimeUnit.SECONDS)
                            .capabilities(CapabilitiesRequest.getDefaultInstance())
                            .getExecutorsCount())
                    .isGreaterThanOrEqualTo(3);
            assertThat(calls).allMatch(f -> !f.isDone());
            calls.get(0).cancel(true);
            // the slot frees: the waiting echoes run, one at a time
            for (ListenableFuture<ExecuteResponse> f : calls.subList(1, calls.size())) {
                assertThat(f.get(30, TimeUnit.SECONDS).getStatus()).isEqualTo(Status.SUCCEEDED);
            }
        }
    }

    @Test
    void healthEntriesFollowInstallsAndUninstalls() throws Exception {
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString(), "--no-shell");
                Client c = Client.plain(port(w, "127.0.0.1"))) {
            HealthGrpc.HealthBlockingStub health = c.health();
            assertCode(() -> health.check(check("executor.swap")), Code.NOT_FOUND, "");
            // a Watch stream sees the entry come and go as it happens
            java.util.concurrent.BlockingQueue<ServingStatus> watched =
                    new java.util.concurrent.LinkedBlockingQueue<>();
            HealthGrpc.newStub(c.channel).watch(check("executor.swap"), new StreamObserver<>() {
                @Override
                public void onNext(io.grpc.health.v1.HealthCheckResponse value) {
                    watched.add(value.getStatus());
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onCompleted() {}
            });
            assertThat(watched.poll(10, TimeUnit.SECONDS)).isEqualTo(ServingStatus.SERVICE_UNKNOWN);
            Path deployed = home.resolve("deploy/swap.jar");
            Files.copy(BUNDLES.resolve("swap-v1.jar"), deployed);
            assertThat(watched.poll(30, TimeUnit.SECONDS)).isEqualTo(ServingStatus.SERVING);
            awaitHealth(health, "executor.swap", ServingStatus.SERVING);
            assertThat(c.worker()
                            .capabilities(CapabilitiesRequest.getDefaultInstance())
                            .getExecutorsList())
                    .anyMatch(x ->
                            x.getTaskType().equals("swap") && x.getVersion().equals("1.0.0"));
            Files.delete(deployed);
            eventually("executor.swap gone after its bundle left", START, () -> {
                try {
                    health.check(check("executor.swap"));
                    return false;
                } catch (StatusRuntimeException e) {
                    assertThat(e.getStatus().getCode()).isEqualTo(Code.NOT_FOUND);
                    return true;
                }
            });
            assertThat(watched.poll(30, TimeUnit.SECONDS)).isEqualTo(ServingStatus.SERVICE_UNKNOWN);
        }
    }

    @Test
    void anUpdateUnderGrpcLoadLosesNoTask() throws Exception {
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString(), "--no-shell");
                Client c = Client.plain(port(w, "127.0.0.1"))) {
            Path deployed = home.resolve("deploy/swap.jar");
            Files.copy(BUNDLES.resolve("swap-v1.jar"), deployed);
            awaitHealth(c.health(), "executor.swap", ServingStatus.SERVING);
            ExecuteRequest task = execute("swap", "5").build();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger v1 = new AtomicInteger();
            AtomicInteger v2 = new AtomicInteger();
            List<String> failures = new CopyOnWriteArrayList<>();
            List<Thread> clients = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread client = new Thread(() -> {
                    while (!stop.get()) {
                        try {
                            ExecuteResponse r = c.worker().execute(task);
                            String reply = r.getOutput().toStringUtf8();
                            if (r.getStatus() == Status.SUCCEEDED && reply.equals("v1")) {
                                v1.incrementAndGet();
                            } else if (r.getStatus() == Status.SUCCEEDED && reply.equals("v2")) {
                                v2.incrementAndGet();
                            } else {
                                failures.add(r.getStatus() + " " + reply + " " + r.getError());
                            }
                        } catch (StatusRuntimeException e) {
                            failures.add(e.toString());
                        }
                    }
                });
                client.start();
                clients.add(client);
            }
            eventually("100 tasks on v1", START, () -> v1.get() >= 100);
            Files.copy(BUNDLES.resolve("swap-v2.jar"), deployed, StandardCopyOption.REPLACE_EXISTING);
            eventually("100 tasks on v2", START, () -> v2.get() >= 100);
            stop.set(true);
            for (Thread client : clients) {
                client.join(30_000);
            }
            assertThat(failures).as("tasks lost or failed during the update").isEmpty();
            assertThat(v1.get()).isGreaterThanOrEqualTo(100);
            assertThat(v2.get()).isGreaterThanOrEqualTo(100);
        }
    }

    @Test
    void beyondLoopbackTheWorkerRefusesToStartWithoutAuthentication() throws Exception {
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString(), "--no-shell", "--grpc-host", "0.0.0.0")) {
            w.await(
                    "the refusal",
                    START,
                    l -> l.startsWith("ferry: the gRPC API did not start: refusing to listen on 0.0.0.0"));
            assertThat(w.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(w.process.exitValue()).isEqualTo(1);
            assertThat(w.output()).doesNotContain("ferry worker ready");
        }
    }

    @Test
    void aTakenPortStopsTheStartWithAReason() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
                WorkerProcess w = WorkerProcess.start(
                        "--home",
                        home.toString(),
                        "--no-shell",
                        "--grpc-port",
                        Integer.toString(taken.getLocalPort()))) {
            w.await(
                    "the reason",
                    START,
                    l -> l.startsWith("ferry: the gRPC API did not start: cannot listen on 127.0.0.1:"
                                    + taken.getLocalPort())
                            && l.contains("--grpc-port"));
            assertThat(w.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(w.process.exitValue()).isEqualTo(1);
        }
    }

    @Test
    void aBearerTokenIsRequiredWhenConfigured() throws Exception {
        Path tokenFile = home.resolve("token");
        Files.createDirectories(home);
        Files.writeString(tokenFile, TOKEN + "\n");
        WorkerProcess.cfg(home, "dev.ferry.grpc", "token_file = " + tokenFile);
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString(), "--no-shell", "--grpc-host", "0.0.0.0");
                Client c = Client.plain(port(w, "0.0.0.0"))) {
            ExecuteRequest echo = execute("command", "{\"command\":\"echo\",\"args\":[\"in\"]}")
                    .build();
            assertCode(() -> c.worker().execute(echo), Code.UNAUTHENTICATED, "bearer token");
            assertCode(() -> c.health().check(check("")), Code.UNAUTHENTICATED, "bearer token");
            assertCode(
                    () -> c.worker()
                            .withInterceptors(bearer("wrong-token-0123456789abcdef"))
                            .execute(echo),
                    Code.UNAUTHENTICATED,
                    "wrong");
            assertCode(
                    () -> c.worker()
                            .withInterceptors(bearer(TOKEN.substring(1)))
                            .execute(echo),
                    Code.UNAUTHENTICATED,
                    "wrong");
            assertCode(
                    () -> c.worker()
                            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(header("Basic " + TOKEN)))
                            .execute(echo),
                    Code.UNAUTHENTICATED,
                    "Bearer");
            ExecuteResponse r = c.worker().withInterceptors(bearer(TOKEN)).execute(echo);
            assertThat(r.getOutput().toStringUtf8()).isEqualTo("in\n");
            assertThat(w.output()).contains("takes a bearer token over plain TCP");
        }
    }

    @Test
    void anOversizedTaskTypeIsRefusedAtOnceAndTheConnectionStaysUsable() throws Exception {
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString(), "--no-shell");
                Client c = Client.plain(port(w, "127.0.0.1"))) {
            WorkerGrpc.WorkerBlockingStub worker = c.worker().withDeadlineAfter(20, TimeUnit.SECONDS);
            String huge = "t".repeat(100_000);
            assertCode(
                    () -> worker.execute(execute(huge, "{}").build()), Code.INVALID_ARGUMENT, "100000 characters long");
            assertCode(() -> worker.validate(validate(huge, "{}")), Code.INVALID_ARGUMENT, "100000 characters long");
            assertCode(
                    () -> worker.execute(
                            execute("command", "{}").setTaskId(huge).build()),
                    Code.INVALID_ARGUMENT,
                    "task_id");
            assertCode(
                    () -> worker.execute(
                            execute("command", "{}").putMetadata("k", huge).build()),
                    Code.INVALID_ARGUMENT,
                    "metadata 'k'");
            ExecuteResponse after = c.worker()
                    .withDeadlineAfter(20, TimeUnit.SECONDS)
                    .execute(execute("command", "{\"command\":\"echo\",\"args\":[\"still here\"]}")
                            .build());
            assertThat(after.getOutput().toStringUtf8()).isEqualTo("still here\n");
        }
    }

    @Test
    void aRefusedConfigurationAtRuntimeKeepsTheServerAsItWas() throws Exception {
        int port = MetricsIT.freePort();
        WorkerProcess.cfg(home, "dev.ferry.grpc", "token = " + TOKEN);
        try (WorkerProcess w = WorkerProcess.start(
                        "--home",
                        home.toString(),
                        "--no-shell",
                        "--grpc-host",
                        "0.0.0.0",
                        "--grpc-port",
                        Integer.toString(port));
                Client c = Client.plain(port)) {
            ExecuteRequest echo = execute("command", "{\"command\":\"echo\",\"args\":[\"x\"]}")
                    .build();
            assertThat(port(w, "0.0.0.0")).isEqualTo(port);
            assertThat(c.worker().withInterceptors(bearer(TOKEN)).execute(echo).getStatus())
                    .isEqualTo(Status.SUCCEEDED);

            WorkerProcess.cfg(home, "dev.ferry.grpc", "token = short");
            w.await("the refusal", START, l -> l.contains("token") && l.contains("the previous configuration stays"));
            assertThat(c.worker().withInterceptors(bearer(TOKEN)).execute(echo).getStatus())
                    .isEqualTo(Status.SUCCEEDED);
            assertCode(() -> c.worker().execute(echo), Code.UNAUTHENTICATED, "bearer token");

            Files.delete(home.resolve("etc/dev.ferry.grpc.cfg"));
            w.await(
                    "the second refusal",
                    START,
                    l -> l.contains("refusing to listen on 0.0.0.0") && l.contains("the previous configuration stays"));
            assertThat(c.worker().withInterceptors(bearer(TOKEN)).execute(echo).getStatus())
                    .isEqualTo(Status.SUCCEEDED);
            assertCode(() -> c.worker().execute(echo), Code.UNAUTHENTICATED, "bearer token");
        }
    }

    @Test
    void aChangedConfigurationRestartsTheServerWithIt() throws Exception {
        int port = MetricsIT.freePort();
        try (WorkerProcess w = WorkerProcess.start(
                        "--home", home.toString(), "--no-shell", "--grpc-port", Integer.toString(port));
                Client c = Client.plain(port)) {
            assertThat(port(w, "127.0.0.1")).isEqualTo(port);
            ExecuteRequest echo = execute("command", "{\"command\":\"echo\",\"args\":[\"x\"]}")
                    .build();
            assertThat(c.worker().execute(echo).getStatus()).isEqualTo(Status.SUCCEEDED);
            WorkerProcess.cfg(home, "dev.ferry.grpc", "token = " + TOKEN);
            eventually("the token required", START, () -> {
                try {
                    c.worker().execute(echo);
                    return false;
                } catch (StatusRuntimeException e) {
                    return e.getStatus().getCode() == Code.UNAUTHENTICATED;
                }
            });
            assertThat(c.worker().withInterceptors(bearer(TOKEN)).execute(echo).getStatus())
                    .isEqualTo(Status.SUCCEEDED);
        }
    }

    @Test
    void mutualTlsAcceptsOnlyClientsOfItsCa() throws Exception {
        Path pki = Pki.mutualTls(home);
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString(), "--no-shell", "--grpc-host", "0.0.0.0")) {
            int port = port(w, "0.0.0.0");
            ExecuteRequest echo = execute("command", "{\"command\":\"echo\",\"args\":[\"over tls\"]}")
                    .build();
            try (Client c = Client.with(
                    port,
                    TlsChannelCredentials.newBuilder()
                            .trustManager(pki.resolve("ca.crt").toFile())
                            .keyManager(
                                    pki.resolve("client.crt").toFile(),
                                    pki.resolve("client.key").toFile())
                            .build())) {
                assertThat(c.worker().execute(echo).getOutput().toStringUtf8()).isEqualTo("over tls\n");
            }
            try (Client c = Client.with(
                    port,
                    TlsChannelCredentials.newBuilder()
                            .trustManager(pki.resolve("ca.crt").toFile())
                            .build())) {
                assertCode(() -> c.worker().execute(echo), Code.UNAVAILABLE, "");
            }
            try (Client c = Client.with(
                    port,
                    TlsChannelCredentials.newBuilder()
                            .trustManager(pki.resolve("ca.crt").toFile())
                            .keyManager(
                                    pki.resolve("rogue.crt").toFile(),
                                    pki.resolve("rogue.key").toFile())
                            .build())) {
                assertCode(() -> c.worker().execute(echo), Code.UNAVAILABLE, "");
            }
            try (Client c = Client.plain(port)) {
                assertCode(() -> c.worker().execute(echo), Code.UNAVAILABLE, "");
            }
        }
    }

    @Test
    void theGrpcBundleRestartsAndUpdatesAtRuntime() throws Exception {
        int port = MetricsIT.freePort();
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString(), "--grpc-port", Integer.toString(port));
                Client c = Client.plain(port)) {
            assertThat(port(w, "127.0.0.1")).isEqualTo(port);
            ExecuteRequest echo = execute("command", "{\"command\":\"echo\",\"args\":[\"again\"]}")
                    .build();
            assertThat(c.worker().execute(echo).getStatus()).isEqualTo(Status.SUCCEEDED);
            String id = w.ask("lb -s dev.ferry.worker.grpc").stream()
                    .map(l -> l.trim().split("\\|")[0].trim())
                    .filter(s -> s.matches("\\d+"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(w.output()));
            for (String step : List.of("stop " + id + "; start " + id, "update " + id, "refresh " + id)) {
                java.util.Set<String> before = grpcThreads(w);
                assertThat(before).isNotEmpty();
                w.ask(step);
                // the old instance's event loops and executors go, not left running beside the new ones (a refresh
                // runs in the background, and the old server answers through its shutdown grace before it goes)
                dev.ferry.testing.Await.until(
                        "the ferry-grpc-* threads of before '" + step + "' to end: " + before,
                        Duration.ofSeconds(20),
                        () -> java.util.Collections.disjoint(grpcThreads(w), before));
                awaitAnswer(c, echo);
            }
            assertThat(w.output()).doesNotContain("wiring is no longer valid").doesNotContain("Exception");
        }
    }

    /** The worker's threads named ferry-grpc-*, by Java thread id ("#57"), from a thread dump (jcmd of this JDK). */
    private static java.util.Set<String> grpcThreads(WorkerProcess w) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        Long.toString(w.process.pid()),
                        "Thread.print")
                .redirectErrorStream(true)
                .start();
        String dump = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(jcmd.waitFor()).as(dump).isZero();
        return dump.lines()
                .filter(l -> l.startsWith("\"ferry-grpc-"))
                .map(l -> l.replaceAll("^\"([^\"]*)\" (#\\d+).*", "$1 $2"))
                .collect(Collectors.toSet());
    }

    /** A condition checked until it holds; it may assert, or throw to end the wait at once. */
    private interface Condition {
        boolean holds() throws Exception;
    }

    /** Checks the condition every 20 ms until it holds; fails after {@code within}, saying what never happened. */
    private static void eventually(String what, Duration within, Condition condition) throws Exception {
        dev.ferry.testing.Await.until(what, within, condition::holds);
    }

    private static ExecuteResponse whenFree(WorkerGrpc.WorkerBlockingStub worker, ExecuteRequest request)
            throws Exception {
        java.util.concurrent.atomic.AtomicReference<ExecuteResponse> answer =
                new java.util.concurrent.atomic.AtomicReference<>();
        eventually("a free slot", Duration.ofSeconds(10), () -> {
            try {
                answer.set(worker.execute(request));
                return true;
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Code.RESOURCE_EXHAUSTED) {
                    throw e;
                }
                return false;
            }
        });
        return answer.get();
    }

    private static void awaitAnswer(Client c, ExecuteRequest request) throws Exception {
        eventually("an answer", START, () -> {
            try {
                assertThat(c.worker().execute(request).getStatus()).isEqualTo(Status.SUCCEEDED);
                return true;
            } catch (StatusRuntimeException e) {
                return false;
            }
        });
    }

    /**
     * The example: a 50 MB HTTP response to a client with gRPC's default 4 MiB inbound limit. With the
     * defaults the body is cut at 1 MiB by the executor; with a cap raised past what a reply can carry, the
     * worker cuts the reply to fit and says so, instead of sending one the client must reject.
     */
    @Test
    void noReplyIsBiggerThanADefaultClientAccepts() throws Exception {
        com.sun.net.httpserver.HttpServer server = fiftyMegabytes();
        String get = "{\"url\":\"http://127.0.0.1:" + server.getAddress().getPort() + "/50mb\"}";
        try {
            try (WorkerProcess w = WorkerProcess.start("--home", home.toString(), "--no-shell");
                    Client c = Client.plain(port(w, "127.0.0.1"))) {
                ExecuteResponse capped = c.worker().execute(execute("http", get).build());
                assertThat(capped.getStatus()).isEqualTo(Status.SUCCEEDED);
                assertThat(capped.getOutput().size()).isEqualTo(1024 * 1024);
                assertThat(capped.getMetadataMap())
                        .containsEntry("body_truncated", "true")
                        .doesNotContainKey("ferry.output_truncated");
            }
            WorkerProcess.cfg(home, "dev.ferry.executor.http", "max_body_size = 52428800");
            try (WorkerProcess w = WorkerProcess.start("--home", home.toString(), "--no-shell");
                    Client c = Client.plain(port(w, "127.0.0.1"))) {
                ExecuteResponse cut = c.worker().execute(execute("http", get).build());
                assertThat(cut.getStatus()).isEqualTo(Status.SUCCEEDED);
                assertThat(cut.getSerializedSize()).isLessThanOrEqualTo(4 * 1024 * 1024);
                assertThat(cut.getOutput().size()).isGreaterThan(4 * 1024 * 1024 - 64 * 1024);
                assertThat(cut.getMetadataMap())
                        .containsEntry("ferry.output_truncated", "true")
                        .containsEntry("ferry.output_bytes", Integer.toString(50 * 1024 * 1024));
            }
        } finally {
            server.stop(0);
        }
    }

    /** A loopback HTTP server whose /50mb answers 50 MiB of 'z'. */
    static com.sun.net.httpserver.HttpServer fiftyMegabytes() throws IOException {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/50mb", x -> {
            x.sendResponseHeaders(200, 50L * 1024 * 1024);
            byte[] block = new byte[64 * 1024];
            java.util.Arrays.fill(block, (byte) 'z');
            try (java.io.OutputStream out = x.getResponseBody()) {
                for (int i = 0; i < 50 * 16; i++) {
                    out.write(block);
                }
            } catch (IOException e) {
                // the executor stops reading at its cap
            }
        });
        server.start();
        return server;
    }

    static ExecuteRequest.Builder execute(String type, String json) {
        return ExecuteRequest.newBuilder().setTaskType(type).setPayload(ByteString.copyFromUtf8(json));
    }

    private static ValidateRequest validate(String type, String json) {
        return ValidateRequest.newBuilder()
                .setTaskType(type)
                .setPayload(ByteString.copyFromUtf8(json))
                .build();
    }

    static HealthCheckRequest check(String service) {
        return HealthCheckRequest.newBuilder().setService(service).build();
    }

    static io.grpc.ClientInterceptor bearer(String token) {
        return MetadataUtils.newAttachHeadersInterceptor(header("Bearer " + token));
    }

    private static Metadata header(String value) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), value);
        return m;
    }

    /**
     * New-user finding #7 (issue 26): what an executor answers after the registry stopped its task (the killed
     * program's exit, or its own interrupted wait, whichever comes first) was dropped without a word; the caller is answered on time, and the executor's own
     * answer goes to the log with the task id.
     */
    @Test
    void anExecutorsAnswerAfterAStopIsLogged() throws Exception {
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString(), "--no-shell");
                Client c = Client.plain(port(w, "127.0.0.1"))) {
            ExecuteResponse r = c.worker()
                    .execute(execute("command", "{\"command\":\"sleep\",\"args\":[\"10\"]}")
                            .setTimeout(
                                    com.google.protobuf.Duration.newBuilder().setNanos(500_000_000))
                            .build());
            assertThat(r.getStatus()).isEqualTo(Status.TIMED_OUT);
            w.await(
                    "the executor's own answer",
                    START,
                    l -> l.contains("Task " + r.getTaskId() + " was stopped (deadline")
                            && l.contains("afterwards executor dev.ferry.executor.command/")
                            && l.contains(" answered: "));
        }
    }

    /**
     * New-user finding #2 (issue 26): an executor's default limit was not in force (the container type reported
     * 64 while its configuration said 16): the defaults were not properties of the service, where the registry
     * reads them. With the registry's own limit raised out of the way, the command type's default of 64 is hit:
     * 64 tasks run, the 65th is over capacity, and every surface says 64.
     */
    @Test
    void anExecutorsDefaultLimitIsInForceAndEverySurfaceSaysSo() throws Exception {
        WorkerProcess.cfg(home, "dev.ferry.registry", "max_concurrency = 1000");
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString());
                Client c = Client.plain(port(w, "127.0.0.1"))) {
            String sleep = "{\"command\":\"sleep\",\"args\":[\"61.5\"]}";
            List<com.google.common.util.concurrent.ListenableFuture<ExecuteResponse>> running =
                    new java.util.ArrayList<>();
            for (int i = 0; i < 64; i++) {
                running.add(c.futureWorker().execute(execute("command", sleep).build()));
            }
            eventually(
                    "64 sleeps running",
                    START,
                    () -> ProcessHandle.allProcesses()
                                    .filter(p -> p.info()
                                                    .arguments()
                                                    .map(a -> a.length == 1 && a[0].equals("61.5"))
                                                    .orElse(false)
                                            && !zombie(p))
                                    .count()
                            == 64);
            assertCode(() -> c.worker().execute(execute("command", sleep).build()), Code.RESOURCE_EXHAUSTED, "");
            assertThat(String.join("\n", w.ask("executor:stats")))
                    .containsPattern("(?m)^command +64 ")
                    .containsPattern("(?m)^container +16 ");
            assertThat(String.join("\n", w.ask("executor:config container")))
                    .containsPattern("executor.concurrency.max +default +16");
            running.forEach(f -> f.cancel(true));
        }
    }

    static void assertCode(Supplier<?> call, Code code, String inMessage) {
        assertThatThrownBy(call::get).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).as(e.toString()).isEqualTo(code);
            assertThat(String.valueOf(e.getStatus().getDescription())).contains(inMessage);
        });
    }

    private static void awaitHealth(HealthGrpc.HealthBlockingStub health, String service, ServingStatus expected)
            throws Exception {
        eventually(service + " " + expected, START, () -> {
            try {
                return health.check(check(service)).getStatus() == expected;
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Code.NOT_FOUND) {
                    throw e;
                }
                return false;
            }
        });
    }

    /** Waits until a process whose arguments include {@code arg} runs (or has gone). */
    static void awaitProcess(String arg, boolean running) throws Exception {
        eventually(
                "a process with " + arg + (running ? " running" : " gone"),
                Duration.ofSeconds(15),
                () -> running == running(arg));
    }

    /** Whether a process whose arguments include {@code arg} runs now. */
    static boolean running(String arg) {
        return ProcessHandle.allProcesses()
                .anyMatch(p ->
                        p.info().arguments().map(a -> List.of(a).contains(arg)).orElse(false) && !zombie(p));
    }

    /** Waits until the worker's metrics endpoint shows {@code n} command tasks waiting for a slot. */
    private static void awaitWaiting(int metricsPort, int n) throws Exception {
        eventually(
                n + " command task(s) waiting for a slot",
                Duration.ofSeconds(15),
                () -> MetricsIT.scrape(metricsPort, null).getOrDefault("ferry_tasks_waiting{type=\"command\"}", -1.0)
                        == n);
    }

    static boolean zombie(ProcessHandle p) {
        try {
            String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return true;
        }
    }

    /** The port of the ready line, which must name the expected host. */
    static int port(WorkerProcess w, String host) throws InterruptedException {
        String ready = w.await("the ready line", START, l -> READY.matcher(l).matches());
        Matcher m = READY.matcher(ready);
        assertThat(m.matches()).isTrue();
        assertThat(m.group(1)).isEqualTo(host);
        return Integer.parseInt(m.group(2));
    }

    /** A channel and its stubs. */
    static final class Client implements AutoCloseable {
        final ManagedChannel channel;

        private Client(ManagedChannel channel) {
            this.channel = channel;
        }

        static Client plain(int port) {
            return with(port, InsecureChannelCredentials.create());
        }

        static Client with(int port, ChannelCredentials credentials) {
            // the server certificate names 127.0.0.1, the address dialled
            return new Client(Grpc.newChannelBuilderForAddress("127.0.0.1", port, credentials)
                    .build());
        }

        WorkerGrpc.WorkerBlockingStub worker() {
            return WorkerGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        }

        WorkerGrpc.WorkerFutureStub futureWorker() {
            return WorkerGrpc.newFutureStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
        }

        HealthGrpc.HealthBlockingStub health() {
            return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        }

        ServerReflectionResponse reflect(ServerReflectionRequest request) throws Exception {
            CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
            StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .serverReflectionInfo(new StreamObserver<>() {
                        @Override
                        public void onNext(ServerReflectionResponse value) {
                            answer.complete(value);
                        }

                        @Override
                        public void onError(Throwable t) {
                            answer.completeExceptionally(t);
                        }

                        @Override
                        public void onCompleted() {
                            answer.completeExceptionally(new AssertionError("no answer"));
                        }
                    });
            requests.onNext(request);
            requests.onCompleted();
            return answer.get(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws InterruptedException {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
