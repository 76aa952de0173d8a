package dev.ferry.client;

import com.google.protobuf.ByteString;
import dev.ferry.worker.grpc.v1.CapabilitiesRequest;
import dev.ferry.worker.grpc.v1.CapabilitiesResponse;
import dev.ferry.worker.grpc.v1.Capability;
import dev.ferry.worker.grpc.v1.ExecuteRequest;
import dev.ferry.worker.grpc.v1.ExecuteResponse;
import dev.ferry.worker.grpc.v1.ExecuteStreamResponse;
import dev.ferry.worker.grpc.v1.ValidateRequest;
import dev.ferry.worker.grpc.v1.ValidateResponse;
import dev.ferry.worker.grpc.v1.WorkerGrpc;
import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Calls Ferry workers: one, or many behind one target. Tasks of a type go only to the workers that serve it
 * healthily: each type used gets its own gRPC channel balancing {@code round_robin} with client-side health checking
 * on the worker's {@code executor.<type>} entry, so a worker that lacks the type, has it drained or disabled, or
 * reports it down gets none of its tasks. gRPC's retry policy sends a task again only after an answer the worker
 * guarantees came before anything ran (over capacity, drained, stopping: worker.proto states it).
 *
 * <p>One outcome model: whatever a worker answered is a {@link TaskResult}, refusals included
 * ({@link TaskStatus#REJECTED} with its {@link Refusal}); a call that broke after its task was sent is
 * {@link TaskStatus#OUTCOME_UNKNOWN} naming the worker, never retried by itself; {@link NoWorkerException} only when
 * no worker could be asked.
 *
 * <pre>
 * try (FerryClient ferry = FerryClient.builder().target("dns:///ferry.internal:50051").tokenFile(Path.of("token")).build()) {
 *     TaskResult r = ferry.execute("command", "{\"command\":\"echo\",\"args\":[\"hello\"]}", Duration.ofSeconds(30));
 *     System.out.println(r.status() + " " + r.outputText());
 * }
 * </pre>
 *
 * Thread-safe; one client for the whole application (it keeps a connection to every worker).
 */
public final class FerryClient implements AutoCloseable {
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String WORKER_SERVICE = "ferry.worker.v1.Worker";

    private final String target;
    private final ChannelCredentials credentials;
    private final int maxAttempts;
    private final Duration answerSlack;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private FerryClient(Builder b) {
        this.target = b.target;
        // the token rides on the channel, not on each call: gRPC's own health checks (the balancing) carry it too
        this.credentials = b.token == null
                ? b.credentials
                : io.grpc.CompositeChannelCredentials.create(b.credentials, new Bearer(b.token));
        this.maxAttempts = b.maxAttempts;
        this.answerSlack = b.answerSlack;
        FileTargets.install();
    }

    /** @return a builder; its target is 127.0.0.1:50051 until set */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the target this client calls */
    public String target() {
        return target;
    }

    // -- tasks

    /** Runs a task with a JSON payload. */
    public TaskResult execute(String type, String json, Duration timeout) {
        return execute(TaskRequest.of(type, json).withTimeout(timeout));
    }

    /** Runs a task with a payload of bytes. */
    public TaskResult execute(String type, byte[] payload, Duration timeout) {
        return execute(TaskRequest.of(type, payload).withTimeout(timeout));
    }

    /** Runs a task whose payload is a Jackson tree. */
    public TaskResult execute(String type, com.fasterxml.jackson.databind.JsonNode payload, Duration timeout) {
        return execute(TaskRequest.of(type, payload).withTimeout(timeout));
    }

    /**
     * Runs a task on one of the workers serving its type, and waits for its outcome. An interrupt cancels it (the
     * worker stops it) and answers {@link TaskStatus#CANCELLED}.
     *
     * @throws NoWorkerException when no worker could be asked
     */
    public TaskResult execute(TaskRequest task) {
        Attempts attempts = new Attempts();
        try {
            ExecuteResponse r = ClientCalls.blockingUnaryCall(
                    channel(task.type()), WorkerGrpc.getExecuteMethod(), options(task, attempts), request(task));
            return answered(r, attempts);
        } catch (StatusRuntimeException e) {
            return failed(task, e, attempts);
        }
    }

    /** Runs a task without waiting: the future completes with its outcome, or with {@link NoWorkerException}. */
    public CompletableFuture<TaskResult> executeAsync(TaskRequest task) {
        Attempts attempts = new Attempts();
        CompletableFuture<TaskResult> out = new CompletableFuture<>();
        ClientCall<ExecuteRequest, ExecuteResponse> call =
                channel(task.type()).newCall(WorkerGrpc.getExecuteMethod(), options(task, attempts));
        ClientCalls.asyncUnaryCall(call, request(task), new StreamObserver<>() {
            @Override
            public void onNext(ExecuteResponse r) {
                out.complete(answered(r, attempts));
            }

            @Override
            public void onError(Throwable t) {
                Status s = Status.fromThrowable(t);
                try {
                    out.complete(failed(task, s, Status.trailersFromThrowable(t), attempts, out.isCancelled()));
                } catch (NoWorkerException e) {
                    out.completeExceptionally(e);
                }
            }

            @Override
            public void onCompleted() {}
        });
        out.whenComplete((r, t) -> {
            if (out.isCancelled()) {
                call.cancel("the caller cancelled the task", null);
            }
        });
        return out;
    }

    /**
     * Runs a task and hands its output to the listener as the worker produces it; returns the outcome (its output
     * empty: it went to the listener).
     *
     * @throws NoWorkerException when no worker could be asked
     */
    public TaskResult stream(TaskRequest task, OutputListener listener) {
        Attempts attempts = new Attempts();
        try {
            Iterator<ExecuteStreamResponse> replies = ClientCalls.blockingServerStreamingCall(
                    channel(task.type()), WorkerGrpc.getExecuteStreamMethod(), options(task, attempts), request(task));
            TaskResult result = null;
            while (replies.hasNext()) {
                ExecuteStreamResponse m = replies.next();
                switch (m.getEventCase()) {
                    case STARTED:
                        listener.started(
                                m.getStarted().getTaskId(), m.getStarted().getExecutedBy(), worker(attempts));
                        break;
                    case CHUNK:
                        listener.output(
                                m.getChunk().getChannel() == dev.ferry.worker.grpc.v1.Channel.STDERR
                                        ? OutputListener.Channel.STDERR
                                        : OutputListener.Channel.OUTPUT,
                                m.getChunk().getData().toByteArray());
                        break;
                    case RESULT:
                        result = answered(m.getResult(), attempts);
                        break;
                    default:
                        break; // a newer worker's event: not for this client
                }
            }
            if (result == null) {
                return unknown(task, attempts, "the stream ended without a result");
            }
            return result;
        } catch (StatusRuntimeException e) {
            return failed(task, e, attempts);
        }
    }

    /**
     * Asks a worker serving the type whether it would take the payload, without running it.
     *
     * @throws NoWorkerException when no worker serving the type could be asked
     */
    public Validation validate(String type, byte[] payload) {
        Attempts attempts = new Attempts();
        try {
            ValidateResponse r = ClientCalls.blockingUnaryCall(
                    channel(type),
                    WorkerGrpc.getValidateMethod(),
                    callOptions(attempts).withDeadlineAfter(answerSlack.toMillis() * 2, TimeUnit.MILLISECONDS),
                    ValidateRequest.newBuilder()
                            .setTaskType(type)
                            .setPayload(ByteString.copyFrom(payload))
                            .build());
            return new Validation(r.getValid(), r.getError(), worker(attempts));
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
                return new Validation(false, e.getStatus().getDescription(), worker(attempts));
            }
            throw noWorker(type, e.getStatus(), e);
        }
    }

    /** {@link #validate(String, byte[])} of a JSON payload. */
    public Validation validate(String type, String json) {
        return validate(type, json.getBytes(StandardCharsets.UTF_8));
    }

    // -- the fleet

    /**
     * What every worker of the target serves: each asked on its own (a DNS name's every address, a worker file's
     * every line). A worker that could not be asked is listed with its error.
     *
     * @throws NoWorkerException when the target names no worker
     */
    public List<WorkerInfo> capabilities() {
        List<WorkerInfo> out = new ArrayList<>();
        for (Worker w : workers()) {
            try {
                CapabilitiesResponse r = WorkerGrpc.newBlockingStub(w.channel)
                        .withDeadlineAfter(5, TimeUnit.SECONDS)
                        .capabilities(CapabilitiesRequest.getDefaultInstance());
                List<WorkerInfo.Executor> executors = new ArrayList<>();
                for (Capability c : r.getExecutorsList()) {
                    executors.add(new WorkerInfo.Executor(
                            c.getTaskType(),
                            c.getBundle(),
                            c.getVersion(),
                            c.getHealthy(),
                            c.getHealth(),
                            c.getInFlight()));
                }
                out.add(new WorkerInfo(w.name, r.getWorkerVersion(), r.getApiVersion(), executors, ""));
            } catch (StatusRuntimeException e) {
                out.add(new WorkerInfo(w.name, "", "", List.of(), describe(e.getStatus())));
            } finally {
                w.close();
            }
        }
        return out;
    }

    /**
     * The health of a type on every worker of the target, as gRPC's health checking sees it (the entry
     * {@code executor.<type>}); {@code null} or empty: each worker's own entry ({@code ""}).
     */
    public List<WorkerHealth> health(String type) {
        String service = type == null || type.isEmpty() ? "" : "executor." + type;
        List<WorkerHealth> out = new ArrayList<>();
        for (Worker w : workers()) {
            try {
                HealthCheckResponse r = HealthGrpc.newBlockingStub(w.channel)
                        .withDeadlineAfter(5, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.newBuilder()
                                .setService(service)
                                .build());
                out.add(new WorkerHealth(w.name, service, r.getStatus().name(), ""));
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                    out.add(new WorkerHealth(w.name, service, "UNKNOWN", "not served there"));
                } else {
                    out.add(new WorkerHealth(w.name, service, "UNREACHABLE", describe(e.getStatus())));
                }
            } finally {
                w.close();
            }
        }
        return out;
    }

    /** Closes every connection; calls in flight are cancelled. */
    @Override
    public void close() {
        closed = true;
        channels.values().forEach(ManagedChannel::shutdown);
        for (ManagedChannel c : channels.values()) {
            try {
                if (!c.awaitTermination(5, TimeUnit.SECONDS)) {
                    c.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                c.shutdownNow();
            }
        }
    }

    // -- inside

    /** The channel for a type: round_robin over the workers whose executor.<type> entry is SERVING. */
    private ManagedChannel channel(String type) {
        if (closed) {
            throw new IllegalStateException("this FerryClient is closed");
        }
        try {
            return channels.computeIfAbsent(type, t -> newChannel("executor." + t));
        } catch (IllegalArgumentException e) {
            throw new NoWorkerException(
                    "the target " + target + " cannot be resolved (" + e.getMessage() + "); give host:port,"
                            + " dns:///name:port or file:///path",
                    e);
        }
    }

    private ManagedChannel newChannel(String healthService) {
        ManagedChannelBuilder<?> b = Grpc.newChannelBuilder(target, credentials)
                .defaultServiceConfig(serviceConfig(healthService, maxAttempts))
                .maxRetryAttempts(Math.max(maxAttempts, 1))
                .enableRetry();
        return b.build();
    }

    /**
     * The service config of one type's channel: round_robin, health checking on the type's entry, and the retry
     * policy for the answers the worker guarantees came before anything ran.
     */
    static Map<String, Object> serviceConfig(String healthService, int maxAttempts) {
        Map<String, Object> config = new java.util.LinkedHashMap<>();
        config.put("loadBalancingConfig", List.of(Map.of("round_robin", Map.of())));
        config.put("healthCheckConfig", Map.of("serviceName", healthService));
        if (maxAttempts > 1) {
            config.put(
                    "methodConfig",
                    List.of(Map.of(
                            "name",
                            List.of(Map.of("service", WORKER_SERVICE)),
                            "retryPolicy",
                            Map.of(
                                    "maxAttempts",
                                    (double) maxAttempts,
                                    "initialBackoff",
                                    "0.05s",
                                    "maxBackoff",
                                    "1s",
                                    "backoffMultiplier",
                                    2.0,
                                    "retryableStatusCodes",
                                    List.of("UNAVAILABLE", "RESOURCE_EXHAUSTED")))));
        }
        return config;
    }

    private static CallOptions callOptions(Attempts attempts) {
        return CallOptions.DEFAULT.withStreamTracerFactory(attempts);
    }

    private CallOptions options(TaskRequest task, Attempts attempts) {
        CallOptions o = callOptions(attempts);
        if (task.timeout() != null) {
            // the worker answers TIMED_OUT itself at the task's timeout; the call waits a little longer for that answer
            o = o.withDeadlineAfter(task.timeout().plus(answerSlack).toNanos(), TimeUnit.NANOSECONDS);
        }
        return o;
    }

    private static ExecuteRequest request(TaskRequest task) {
        ExecuteRequest.Builder b = ExecuteRequest.newBuilder()
                .setTaskId(task.id())
                .setTaskType(task.type())
                .setPayload(ByteString.copyFrom(task.payload()))
                .putAllMetadata(task.metadata());
        if (task.timeout() != null) {
            b.setTimeout(com.google.protobuf.Duration.newBuilder()
                    .setSeconds(task.timeout().getSeconds())
                    .setNanos(task.timeout().getNano()));
        }
        return b.build();
    }

    private static TaskResult answered(ExecuteResponse r, Attempts attempts) {
        TaskStatus status;
        switch (r.getStatus()) {
            case SUCCEEDED:
                status = TaskStatus.SUCCEEDED;
                break;
            case FAILED:
                status = TaskStatus.FAILED;
                break;
            case TIMED_OUT:
                status = TaskStatus.TIMED_OUT;
                break;
            case CANCELLED:
                status = TaskStatus.CANCELLED;
                break;
            case REJECTED:
                status = TaskStatus.REJECTED;
                break;
            case ERROR:
            default:
                status = TaskStatus.ERROR;
                break;
        }
        return new TaskResult(
                r.getTaskId(),
                status,
                r.getOutput().toByteArray(),
                r.getExitCode(),
                r.getError(),
                r.getMetadataMap(),
                status == TaskStatus.REJECTED ? Refusal.OTHER : null,
                worker(attempts));
    }

    /** A blocking call that threw: an interrupt of the caller's thread is the caller's cancel. */
    private TaskResult failed(TaskRequest task, StatusRuntimeException e, Attempts attempts) {
        return failed(
                task,
                e.getStatus(),
                e.getTrailers(),
                attempts,
                Thread.currentThread().isInterrupted());
    }

    /** A call that ended without an answer: a refusal, a timeout, a cancel, an unknown outcome, or no worker. */
    private TaskResult failed(TaskRequest task, Status s, Metadata trailers, Attempts attempts, boolean cancelledHere) {
        Attempts.Attempt last = attempts.last();
        String worker = worker(attempts);
        String refusal = last == null ? null : last.refusal();
        if (refusal == null && trailers != null) {
            refusal = trailers.get(dev.ferry.worker.grpc.v1.WorkerMetadata.REFUSAL);
        }
        String description = s.getDescription() == null ? s.getCode().toString() : s.getDescription();
        if (refusal != null) { // the worker answered, and ran nothing
            return new TaskResult(
                    task.id(),
                    TaskStatus.REJECTED,
                    new byte[0],
                    -1,
                    description,
                    Map.of(),
                    Refusal.of(refusal),
                    worker);
        }
        if (cancelledHere) {
            return new TaskResult(
                    task.id(),
                    TaskStatus.CANCELLED,
                    new byte[0],
                    -1,
                    "cancelled by the caller" + (worker.isEmpty() ? "" : "; worker " + worker + " stops the task"),
                    Map.of(),
                    null,
                    worker);
        }
        if (last == null || !last.sent()) {
            throw noWorker(task.type(), s, s.asRuntimeException());
        }
        if (s.getCode() == Status.Code.DEADLINE_EXCEEDED) {
            return new TaskResult(
                    task.id(),
                    TaskStatus.TIMED_OUT,
                    new byte[0],
                    -1,
                    "no answer within the call's deadline (the task's timeout and " + answerSlack.toMillis()
                            + " ms); worker " + worker + (last.taken() ? " took the task and" : " was sent it and")
                            + " ends it at its deadline as TIMED_OUT",
                    Map.of(),
                    null,
                    worker);
        }
        return unknown(
                task,
                attempts,
                (last.taken()
                                ? "worker " + worker + " took task '" + task.id() + "'"
                                : "task '" + task.id() + "' was sent to worker " + worker)
                        + ", then the call failed (" + s.getCode() + ": " + description + ")");
    }

    private static TaskResult unknown(TaskRequest task, Attempts attempts, String what) {
        return new TaskResult(
                task.id(),
                TaskStatus.OUTCOME_UNKNOWN,
                new byte[0],
                -1,
                what + ". The task may have run, or may still run; it was not sent again. To learn its outcome, send it"
                        + " again with the same task id: a worker that ran it answers its outcome instead of running it"
                        + " twice",
                Map.of(),
                null,
                worker(attempts));
    }

    private NoWorkerException noWorker(String type, Status s, Throwable cause) {
        return new NoWorkerException(
                "no worker of " + target + " could be asked to run a '" + type + "' task: " + describe(s)
                        + (s.getCode() == Status.Code.UNAVAILABLE
                                ? " (no worker reachable, or none whose health entry executor." + type
                                        + " is SERVING: 'ferry types' lists what each serves)"
                                : ""),
                cause);
    }

    private static String describe(Status s) {
        return s.getCode()
                + (s.getDescription() == null ? "" : ": " + s.getDescription())
                + (s.getCause() == null ? "" : " (" + s.getCause() + ")");
    }

    private static String worker(Attempts attempts) {
        Attempts.Attempt last = attempts.last();
        return last == null ? "" : last.worker();
    }

    /** One worker of the target, on a connection of its own (pick_first). */
    private final class Worker implements AutoCloseable {
        final String name;
        final ManagedChannel channel;

        Worker(InetSocketAddress a, String authority) {
            String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
            this.name = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
            ManagedChannelBuilder<?> b = Grpc.newChannelBuilderForAddress(host, a.getPort(), credentials);
            if (authority != null) {
                b.overrideAuthority(authority); // TLS checks the name the target gave, not an address
            }
            this.channel = b.build();
        }

        @Override
        public void close() {
            channel.shutdownNow();
        }
    }

    private List<Worker> workers() {
        List<InetSocketAddress> addresses;
        try {
            addresses = Targets.workers(target);
        } catch (IOException | IllegalArgumentException e) {
            throw new NoWorkerException("cannot find the workers of " + target + ": " + e.getMessage(), e);
        }
        if (addresses.isEmpty()) {
            throw new NoWorkerException(
                    "the target " + target + " names no worker this client can list (dns:///host:port, host:port and"
                            + " file:///path name them)",
                    null);
        }
        String authority = authority();
        List<Worker> out = new ArrayList<>();
        for (InetSocketAddress a : addresses) {
            out.add(new Worker(a, authority));
        }
        return out;
    }

    /** The name TLS checks the workers' certificates against: as the target's channel checks it. */
    private String authority() {
        if (credentials instanceof InsecureChannelCredentials) {
            return null;
        }
        if (target.startsWith(FileTargets.SCHEME + ":")) {
            String host = java.net.URI.create(target).getAuthority();
            return host == null || host.isEmpty() ? "localhost" : host;
        }
        String t = target.startsWith("dns:///") ? target.substring("dns:///".length()) : target;
        return t.contains("://") ? null : t;
    }

    private static final class Bearer extends CallCredentials {
        private final String header;

        Bearer(String token) {
            this.header = "Bearer " + token;
        }

        @Override
        public void applyRequestMetadata(RequestInfo info, Executor appExecutor, MetadataApplier applier) {
            Metadata m = new Metadata();
            m.put(AUTHORIZATION, header);
            applier.apply(m);
        }
    }

    /** Builds a {@link FerryClient}. */
    public static final class Builder {
        private String target = "127.0.0.1:" + Targets.DEFAULT_PORT;
        private ChannelCredentials credentials = InsecureChannelCredentials.create();
        private String token;
        private int maxAttempts = 3;
        private Duration answerSlack = Duration.ofSeconds(5);

        private Builder() {}

        /**
         * The workers: {@code host:port} (one worker, or every address of the name), {@code dns:///name:port} (a
         * Kubernetes headless Service: every pod), {@code file:///path} (a file of host:port lines, read again
         * when gRPC resolves again).
         */
        public Builder target(String target) {
            if (target == null || target.isBlank()) {
                throw new IllegalArgumentException(
                        "the target is empty; give host:port, dns:///name:port or" + " file:///path");
            }
            this.target = target.trim();
            return this;
        }

        /** Sends {@code authorization: Bearer <token>} with every call. */
        public Builder token(String token) {
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException("the token is empty");
            }
            this.token = token.trim();
            return this;
        }

        /** Reads the token from the first line of a file, as the worker reads its token_file. */
        public Builder tokenFile(Path file) {
            String line;
            try {
                line = dev.ferry.support.WholeFile.firstLine(file);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the token file: " + e.getMessage(), e);
            }
            if (line.isEmpty()) {
                throw new IllegalArgumentException(
                        "the token file " + file + " is empty; its first line must be the token");
            }
            return token(line);
        }

        /** Speaks TLS, trusting the worker certificates the PEM file's CAs signed. */
        public Builder tls(Path caCertificates) {
            return tls(caCertificates, null, null);
        }

        /**
         * Speaks TLS, and presents a client certificate (mutual TLS).
         *
         * @param caCertificates PEM certificates of the CAs that signed the workers' certificates; null: the JDK's
         * @param certificateChain the client's PEM certificate chain; null for none
         * @param privateKey the client's PEM (PKCS#8) key; null for none
         */
        public Builder tls(Path caCertificates, Path certificateChain, Path privateKey) {
            if ((certificateChain == null) != (privateKey == null)) {
                throw new IllegalArgumentException("a client certificate needs both its chain and its key");
            }
            try {
                TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
                if (caCertificates != null) {
                    b.trustManager(caCertificates.toFile());
                }
                if (certificateChain != null) {
                    b.keyManager(certificateChain.toFile(), privateKey.toFile());
                }
                this.credentials = b.build();
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the TLS files: " + e.getMessage(), e);
            }
            return this;
        }

        /**
         * How many workers one task may be offered to when they refuse it before it runs (over capacity, drained,
         * stopping); 1: never again. 3 unless set; gRPC caps it at 5.
         */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1 || attempts > 5) {
                throw new IllegalArgumentException("maxAttempts must be 1 to 5, got " + attempts);
            }
            this.maxAttempts = attempts;
            return this;
        }

        /** How long past a task's timeout the client waits for the worker's TIMED_OUT answer; 5 s unless set. */
        public Builder answerSlack(Duration slack) {
            if (slack == null || slack.isNegative()) {
                throw new IllegalArgumentException("the answer slack must be zero or more");
            }
            this.answerSlack = slack;
            return this;
        }

        /** @return the client; it connects on first use */
        public FerryClient build() {
            return new FerryClient(this);
        }
    }
}
