package dev.ferry.worker.grpc.internal;

import com.google.protobuf.UnsafeByteOperations;
import dev.ferry.executor.api.ExecutorInfo;
import dev.ferry.executor.api.ExecutorRegistry;
import dev.ferry.executor.api.Health;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Task;
import dev.ferry.executor.api.TaskHandle;
import dev.ferry.executor.api.Validation;
import dev.ferry.worker.grpc.v1.CapabilitiesRequest;
import dev.ferry.worker.grpc.v1.CapabilitiesResponse;
import dev.ferry.worker.grpc.v1.Capability;
import dev.ferry.worker.grpc.v1.ExecuteRequest;
import dev.ferry.worker.grpc.v1.ExecuteResponse;
import dev.ferry.worker.grpc.v1.ExecuteStreamResponse;
import dev.ferry.worker.grpc.v1.Status;
import dev.ferry.worker.grpc.v1.ValidateRequest;
import dev.ferry.worker.grpc.v1.ValidateResponse;
import dev.ferry.worker.grpc.v1.WorkerGrpc;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** ferry.worker.v1.Worker on the registry: every task goes through {@link ExecutorRegistry#submit}. */
final class WorkerService extends WorkerGrpc.WorkerImplBase {
    /** Longer than any deadline a caller means; Duration's own maximum overflows the registry's arithmetic. */
    private static final Duration LONGEST = Duration.ofDays(365);

    /** Metadata keys the worker adds to a reply it had to cut to fit. */
    static final String OUTPUT_TRUNCATED = "ferry.output_truncated";

    static final String OUTPUT_BYTES = "ferry.output_bytes";

    /** Metadata of an answer to a repeated task id: the outcome is the first run's, the task did not run again. */
    static final String REPEATED = "ferry.repeated";

    /** How far ahead of the call's deadline a client's cancel still counts as that deadline (see execute). */
    static final long DEADLINE_SLACK_MILLIS = 500;

    private final ExecutorRegistry registry;
    private final int maxReplyBytes;
    private final long maxStreamBytes;
    private final TaskIds ids;

    /**
     * @param maxReplyBytes the largest reply sent (max_outbound_message_bytes): a bigger one is cut to fit
     * @param maxStreamBytes the most output one ExecuteStream call sends (max_stream_bytes)
     * @param ids the task ids callers gave lately, so that a repeated one never runs twice
     */
    WorkerService(ExecutorRegistry registry, int maxReplyBytes, long maxStreamBytes, TaskIds ids) {
        this.registry = registry;
        this.ids = ids;
        this.maxReplyBytes = maxReplyBytes;
        this.maxStreamBytes = maxStreamBytes;
    }

    @Override
    public void execute(ExecuteRequest request, StreamObserver<ExecuteResponse> observer) {
        Request r = request(request, observer);
        if (r == null) {
            return;
        }
        ServerCallStreamObserver<ExecuteResponse> call = (ServerCallStreamObserver<ExecuteResponse>) observer;
        String id = r.task.id();
        TaskIds.Fresh fresh = null;
        if (!request.getTaskId().isEmpty()) {
            TaskIds.Claim claim = ids.claim(id, caller(), r.task.type(), r.task.payload());
            if (claim instanceof TaskIds.Conflict conflict) {
                observer.onError(Errors.duplicate(conflict.message()));
                return;
            }
            if (claim instanceof TaskIds.Seen seen) {
                // a repeat (a client's retry after a lost answer): the first run's outcome, never a second run;
                // this call going away leaves the task alone
                EarlyHeaders.taken(id);
                seen.result().whenComplete((result, failure) -> answer(call, id, repeated(result), failure));
                return;
            }
            fresh = (TaskIds.Fresh) claim;
        }
        TaskHandle handle = registry.submit(r.task, r.timeout);
        if (fresh != null) {
            fresh.ran(handle.result());
        }
        Result refused = handle.result().toCompletableFuture().getNow(null);
        if (refused == null || refused.status() != dev.ferry.executor.api.Status.REJECTED) {
            EarlyHeaders.taken(id); // before the answer can go: the answer is sent after whenComplete below
        }
        Deadline deadline = Context.current().getDeadline();
        // The client went away: the task stops too (its process dies), also while it is parked for a slot or a type
        // being updated; unless it is the call's deadline (see cancels).
        call.setOnCancelHandler(() -> {
            if (cancels(deadline)) {
                handle.cancel();
            }
        });
        handle.result().whenComplete((result, failure) -> answer(call, id, result, failure));
    }

    @Override
    public void executeStream(ExecuteRequest request, StreamObserver<ExecuteStreamResponse> observer) {
        Request r = request(request, observer);
        if (r == null) {
            return;
        }
        TaskIds.Fresh fresh = null;
        if (!request.getTaskId().isEmpty()) {
            TaskIds.Claim claim = ids.claim(r.task.id(), caller(), r.task.type(), r.task.payload());
            if (claim instanceof TaskIds.Conflict conflict) {
                observer.onError(Errors.duplicate(conflict.message()));
                return;
            }
            if (claim instanceof TaskIds.Seen) {
                observer.onError(Errors.duplicate("task '" + r.task.id() + "' runs or ran on this worker already, and"
                        + " a stream cannot replay its output: call Execute with the same task_id for its outcome"));
                return;
            }
            fresh = (TaskIds.Fresh) claim;
        }
        StreamCall stream = new StreamCall(
                (ServerCallStreamObserver<ExecuteStreamResponse>) observer,
                r.task.id(),
                maxStreamBytes,
                maxReplyBytes,
                Context.current().getDeadline());
        TaskHandle handle = registry.submit(r.task, r.timeout, stream);
        if (fresh != null) {
            fresh.ran(handle.result());
        }
        stream.running(handle);
        handle.result().whenComplete(stream::finish);
    }

    /**
     * Whether a call that ended now, without an answer, cancels its task. Not when it is the call's deadline: the
     * registry's own deadline (the same instant: the task's timeout is what was left of the call) ends the task as
     * TIMED_OUT, a timeout and not a cancel, recorded so. A client's timer fires before this side's (its deadline
     * started before the request travelled), so an end within {@value #DEADLINE_SLACK_MILLIS} ms of the deadline is
     * the deadline.
     */
    static boolean cancels(Deadline deadline) {
        return deadline == null || deadline.timeRemaining(TimeUnit.MILLISECONDS) > DEADLINE_SLACK_MILLIS;
    }

    /** Who sends the current call, as the token check or the TLS handshake established it; empty outside a server. */
    private static String caller() {
        String[] caller = Caller.KEY.get();
        return caller == null ? "" : caller[0];
    }

    /** The outcome of an earlier call with the same task id, marked as such ({@value #REPEATED}). */
    private static Result repeated(Result result) {
        if (result == null || result.status() == dev.ferry.executor.api.Status.REJECTED) {
            return result;
        }
        return result.toBuilder().metadata(REPEATED, "true").build();
    }

    /** A checked request: the task and its timeout ({@code null}: the registry's default). */
    private record Request(Task task, Duration timeout) {}

    /** The request as a task, or null when it is wrong (the call is answered with the error then). */
    private static Request request(ExecuteRequest request, StreamObserver<?> observer) {
        String type = request.getTaskType();
        if (type.isBlank()) {
            observer.onError(Errors.invalid(
                    "task_type is empty; name an executor type, e.g. \"command\" (Capabilities lists them)"));
            return null;
        }
        String bad = Limits.problem(type, request.getTaskId(), request.getMetadataMap());
        if (bad != null) {
            observer.onError(Errors.invalid(bad));
            return null;
        }
        Duration timeout;
        try {
            timeout = timeout(request, Context.current().getDeadline());
        } catch (IllegalArgumentException e) {
            observer.onError(Errors.invalid(e.getMessage()));
            return null;
        }
        String id = request.getTaskId().isEmpty() ? Task.nextId() : request.getTaskId();
        Map<String, String> metadata = request.getMetadataMap();
        String[] caller = Caller.KEY.get();
        if (caller != null) { // who sent it, for the audit trail: never what the request says it is
            metadata = new java.util.HashMap<>(metadata);
            metadata.put(Task.CALLER, caller[0]);
            metadata.put(Task.REMOTE, caller[1]);
        }
        return new Request(new Task(id, type, request.getPayload().toByteArray(), metadata), timeout);
    }

    private void answer(ServerCallStreamObserver<ExecuteResponse> call, String id, Result result, Throwable failure) {
        if (call.isCancelled()) {
            return;
        }
        try {
            if (answeredWithError(call, id, result, failure)) {
                return;
            }
            call.onNext(fit(response(id, result), maxReplyBytes));
            call.onCompleted();
        } catch (IllegalStateException | io.grpc.StatusRuntimeException e) {
            // cancelled between the check and the answer: nobody is listening any more
        }
    }

    /**
     * Ends the call with an error status when the task has no answer to send: it was refused before it ran (the
     * rejection's code), or, should the registry's promise of a result ever break, INTERNAL.
     *
     * @return whether the call was answered so
     */
    static boolean answeredWithError(StreamObserver<?> call, String id, Result result, Throwable failure) {
        if (result == null) {
            call.onError(io.grpc.Status.INTERNAL
                    .withDescription("task " + id + " ended without a result: " + failure)
                    .asRuntimeException());
            return true;
        }
        if (result.status() == dev.ferry.executor.api.Status.REJECTED) {
            call.onError(Errors.rejected(result));
            return true;
        }
        return false;
    }

    /**
     * A reply no bigger than {@code max} bytes, so that a client with gRPC's default inbound limit never
     * has to reject it (and lose the answer of a task that ran): the output is cut to fit, keeping its
     * head; when cutting the output cannot make room, the largest metadata values are cut instead; either
     * way the reply says so
     * ({@value #OUTPUT_TRUNCATED}, and {@value #OUTPUT_BYTES} the output's whole size).
     */
    static ExecuteResponse fit(ExecuteResponse reply, int max) {
        int size = reply.getSerializedSize();
        if (size <= max) {
            return reply;
        }
        ExecuteResponse.Builder b = reply.toBuilder()
                .putMetadata(OUTPUT_TRUNCATED, "true")
                .putMetadata(OUTPUT_BYTES, Integer.toString(reply.getOutput().size()));
        int over = b.build().getSerializedSize() - max;
        if (over + 16 <= reply.getOutput().size()) { // the output alone can make room: its head stays
            b.setOutput(reply.getOutput().substring(0, reply.getOutput().size() - over - 16)); // 16: prefix, slack
            return b.build();
        }
        // the metadata is what is big (stderr, say): the output stays whole, the largest values are cut
        while (b.build().getSerializedSize() > max && !b.getMetadataMap().isEmpty()) {
            String largest = null;
            for (java.util.Map.Entry<String, String> e : b.getMetadataMap().entrySet()) {
                if (largest == null
                        || e.getValue().length()
                                > b.getMetadataMap().get(largest).length()) {
                    largest = e.getKey();
                }
            }
            String value = b.getMetadataMap().get(largest);
            if (value.length() <= 64) {
                break; // nothing big left to cut
            }
            int cut = Math.max(0, value.length() - (b.build().getSerializedSize() - max) - 64);
            b.putMetadata(largest, value.substring(0, cut) + " [cut by the worker to fit the reply]");
        }
        int left = b.build().getSerializedSize() - max;
        if (left > 0) { // only small values left: the output gives way after all
            b.setOutput(b.getOutput().substring(0, Math.max(0, b.getOutput().size() - left - 16)));
        }
        return b.build();
    }

    static ExecuteResponse response(String id, Result result) {
        ExecuteResponse.Builder b = ExecuteResponse.newBuilder()
                .setTaskId(id)
                .setStatus(status(result.status()))
                .setExitCode(result.exitCode())
                .putAllMetadata(result.metadata());
        byte[] output = result.output();
        if (output.length > 0) {
            // Result's bytes are never written after the result is built
            b.setOutput(UnsafeByteOperations.unsafeWrap(output));
        }
        if (result.error() != null) {
            b.setError(result.error());
        }
        return b.build();
    }

    /**
     * The smaller of the request's timeout and the call's deadline; {@code null} when neither is
     * given (the registry's default applies).
     */
    static Duration timeout(ExecuteRequest request, Deadline deadline) {
        Duration requested = null;
        if (request.hasTimeout()) {
            com.google.protobuf.Duration t = request.getTimeout();
            if (t.getSeconds() < 0 || t.getNanos() < 0 || (t.getSeconds() == 0 && t.getNanos() == 0)) {
                throw new IllegalArgumentException("timeout must be positive (it is " + t.getSeconds() + "s "
                        + t.getNanos() + "ns); leave it unset for the worker's default");
            }
            requested = Duration.ofSeconds(t.getSeconds(), t.getNanos());
        }
        if (deadline == null) {
            return requested == null ? null : min(requested, LONGEST);
        }
        Duration left = Duration.ofNanos(Math.max(1, deadline.timeRemaining(TimeUnit.NANOSECONDS)));
        return requested == null ? left : min(requested, left);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public void validate(ValidateRequest request, StreamObserver<ValidateResponse> observer) {
        if (request.getTaskType().isBlank()) {
            observer.onError(Errors.invalid("task_type is empty; name an executor type, e.g. \"command\""));
            return;
        }
        String bad = Limits.problem(request.getTaskType(), "", Map.of());
        if (bad != null) {
            observer.onError(Errors.invalid(bad));
            return;
        }
        Validation v =
                registry.validate(request.getTaskType(), request.getPayload().toByteArray());
        if (!v.isValid() && v.rejection() == dev.ferry.executor.api.Rejection.UNKNOWN_TYPE) {
            observer.onError(Errors.notFound(v.message()));
            return;
        }
        ValidateResponse.Builder b = ValidateResponse.newBuilder().setValid(v.isValid());
        if (!v.isValid()) {
            b.setError(v.message());
        }
        observer.onNext(b.build());
        observer.onCompleted();
    }

    @Override
    public void capabilities(CapabilitiesRequest request, StreamObserver<CapabilitiesResponse> observer) {
        observer.onNext(capabilities(registry.capabilities()));
        observer.onCompleted();
    }

    static CapabilitiesResponse capabilities(List<ExecutorInfo> infos) {
        Map<String, Capability.Builder> byType = new LinkedHashMap<>();
        for (ExecutorInfo info : infos) {
            if (info.isActive()) {
                Health h = info.health();
                byType.put(
                        info.type(),
                        Capability.newBuilder()
                                .setTaskType(info.type())
                                .setBundle(info.bundleSymbolicName())
                                .setVersion(info.bundleVersion())
                                .setHealthy(h != null && h.isHealthy())
                                .setHealth(h == null ? "" : h.message())
                                .setInFlight(info.inFlight()));
            }
        }
        for (ExecutorInfo info : infos) {
            Capability.Builder b = byType.get(info.type());
            if (!info.isActive() && b != null) {
                b.setStandby(b.getStandby() + 1);
            }
        }
        CapabilitiesResponse.Builder out = CapabilitiesResponse.newBuilder()
                .setWorkerVersion(versionOf(WorkerService.class))
                .setApiVersion(versionOf(dev.ferry.executor.api.Executor.class));
        byType.values().forEach(out::addExecutors);
        return out.build();
    }

    /** The version of the bundle a class comes from; empty outside a framework (unit tests). */
    private static String versionOf(Class<?> c) {
        org.osgi.framework.Bundle b = org.osgi.framework.FrameworkUtil.getBundle(c);
        return b == null ? "" : b.getVersion().toString();
    }

    /** The proto's Status has the API's names, by design (see worker.proto). */
    static Status status(dev.ferry.executor.api.Status s) {
        return Status.valueOf(s.name());
    }
}
