package dev.ferry.worker.grpc.internal;

import com.google.protobuf.ByteString;
import dev.ferry.executor.api.OutputSink;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.TaskHandle;
import dev.ferry.worker.grpc.v1.ExecuteResponse;
import dev.ferry.worker.grpc.v1.ExecuteStreamResponse;
import dev.ferry.worker.grpc.v1.OutputChunk;
import dev.ferry.worker.grpc.v1.TaskStarted;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One ExecuteStream call as the task's {@link OutputSink}: output goes out in chunks as it comes, and a
 * writer waits while the call is not ready (gRPC's flow control: the client's window is full), so a slow
 * client slows the task instead of the worker buffering its output. Every message goes out under one
 * lock: the stdout and stderr writers and the final answer never interleave inside the call.
 */
final class StreamCall implements OutputSink {
    /** Metadata of the final message: bytes the task produced (all channels), and whether the cap cut the stream. */
    static final String STREAM_BYTES = "ferry.stream_bytes";

    static final String STREAM_TRUNCATED = "ferry.stream_truncated";
    static final int CHUNK_BYTES = 256 * 1024;
    /** Output queued for one client before its writer waits: what the worker may hold per stream. */
    static final int READY_THRESHOLD_BYTES = 1024 * 1024;

    private final ServerCallStreamObserver<ExecuteStreamResponse> call;
    private final String taskId;
    private final long maxStreamBytes;
    private final int maxReplyBytes;
    private final int chunkBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition();
    private final long[] offsets = new long[Channel.values().length]; // by OutputSink.Channel; guarded by lock
    private long sent; // guarded by lock
    private long produced; // guarded by lock
    private boolean truncated; // guarded by lock
    /** The answer went out or the client went away: nothing more is sent. Guarded by lock. */
    private boolean closed;

    private volatile TaskHandle handle;
    private volatile boolean cancelled;
    /** The call's deadline, or null: its passing ends the task as TIMED_OUT, not as a cancel. */
    private final io.grpc.Deadline deadline;

    StreamCall(
            ServerCallStreamObserver<ExecuteStreamResponse> call,
            String taskId,
            long maxStreamBytes,
            int maxReplyBytes,
            io.grpc.Deadline deadline) {
        this.call = call;
        this.deadline = deadline;
        this.taskId = taskId;
        this.maxStreamBytes = maxStreamBytes;
        this.maxReplyBytes = maxReplyBytes;
        this.chunkBytes = Math.min(CHUNK_BYTES, maxReplyBytes - 64); // a chunk's own fields fit in the rest
        // both must be set before the service method returns, and before the task can send anything
        call.setOnReadyHandler(this::signal);
        // a writer waits once this much is queued for the client, not after every chunk (the default, 32 KiB, is
        // less than one chunk: each would wait for the transport, a thread hand-off per chunk)
        call.setOnReadyThreshold(READY_THRESHOLD_BYTES);
        call.setOnCancelHandler(this::clientGone);
    }

    /** The task, once submitted: a client already gone cancels it now. */
    void running(TaskHandle h) {
        handle = h;
        if (cancelled) {
            h.cancel();
        }
    }

    /** Nothing more is sent; the task is cancelled, unless the call's deadline ended it (the registry's does too). */
    private void clientGone() {
        cancelled = WorkerService.cancels(deadline);
        lock.lock();
        try {
            closed = true;
            ready.signalAll();
        } finally {
            lock.unlock();
        }
        TaskHandle h = handle;
        if (h != null && cancelled) {
            h.cancel(); // its process dies, also while it is parked for a slot
        }
    }

    private void signal() {
        lock.lock();
        try {
            ready.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void started(String id, String executedBy) {
        lock.lock();
        try {
            if (!closed) {
                send(ExecuteStreamResponse.newBuilder()
                        .setStarted(TaskStarted.newBuilder().setTaskId(id).setExecutedBy(executedBy))
                        .build());
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean write(Channel channel, byte[] data, int offset, int length) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (length > 0) {
                long room = maxStreamBytes - sent;
                if (closed || room <= 0) {
                    produced += length;
                    truncated |= !closed;
                    return false;
                }
                // gRPC calls onReady when the window opens again; the bounded wait is a guard, not the clock
                while (!call.isReady() && !closed) {
                    ready.await(1, TimeUnit.SECONDS);
                }
                if (closed) {
                    continue;
                }
                int n = (int) Math.min(Math.min(length, chunkBytes), room);
                send(ExecuteStreamResponse.newBuilder()
                        .setChunk(OutputChunk.newBuilder()
                                .setChannel(
                                        channel == Channel.STDERR
                                                ? dev.ferry.worker.grpc.v1.Channel.STDERR
                                                : dev.ferry.worker.grpc.v1.Channel
                                                        .OUTPUT) // the proto's (OutputSink.Channel is in scope)
                                .setOffset(offsets[channel.ordinal()])
                                .setData(ByteString.copyFrom(data, offset, n)))
                        .build());
                offsets[channel.ordinal()] += n;
                sent += n;
                produced += n;
                offset += n;
                length -= n;
            }
            return !closed; // at the cap exactly, nothing was dropped yet: the next write says whether more came
        } finally {
            lock.unlock();
        }
    }

    /** The task's outcome: the final message, or the error a refused task is answered with. */
    void finish(Result result, Throwable failure) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            ready.signalAll();
            if (WorkerService.answeredWithError(call, taskId, result, failure)) {
                return;
            }
            ExecuteResponse.Builder answer = WorkerService.response(taskId, result).toBuilder()
                    .putMetadata(STREAM_BYTES, Long.toString(produced));
            if (truncated) {
                answer.putMetadata(STREAM_TRUNCATED, "true");
            }
            send(ExecuteStreamResponse.newBuilder()
                    .setResult(WorkerService.fit(answer.build(), maxReplyBytes - 16))
                    .build());
            call.onCompleted();
        } catch (IllegalStateException | io.grpc.StatusRuntimeException e) {
            // the client went away between the check and the answer: nobody is listening any more
        } finally {
            lock.unlock();
        }
    }

    private void send(ExecuteStreamResponse message) {
        try {
            call.onNext(message);
        } catch (IllegalStateException | io.grpc.StatusRuntimeException e) {
            closed = true; // cancelled under us: the cancel handler stops the task
        }
    }
}
