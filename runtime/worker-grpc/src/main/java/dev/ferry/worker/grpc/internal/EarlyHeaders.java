package dev.ferry.worker.grpc.internal;

import dev.ferry.worker.grpc.v1.WorkerMetadata;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Lets the Worker service send a call's response headers the moment it takes the task, before the task's answer:
 * headers commit a call in gRPC's retry machinery, so a client never retries a task a worker took, and learns which
 * task id the worker runs ({@link WorkerMetadata#TASK}). The stub's own later {@code sendHeaders} (with the first
 * reply) is then a no-op.
 */
final class EarlyHeaders implements ServerInterceptor {
    private static final Context.Key<Call<?, ?>> KEY = Context.key("ferry.early-headers");

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        Call<Q, A> wrapped = new Call<>(call);
        return Contexts.interceptCall(Context.current().withValue(KEY, wrapped), wrapped, headers, next);
    }

    /** Sends the current call's headers now, saying the worker took the task; once per call, from its handler. */
    static void taken(String taskId) {
        Call<?, ?> call = KEY.get();
        if (call != null) {
            Metadata m = new Metadata();
            m.put(WorkerMetadata.TASK, taskId);
            call.sendHeaders(m);
        }
    }

    private static final class Call<Q, A> extends ForwardingServerCall.SimpleForwardingServerCall<Q, A> {
        private boolean sent; // guarded by this

        Call(ServerCall<Q, A> delegate) {
            super(delegate);
        }

        @Override
        public synchronized void sendHeaders(Metadata headers) {
            if (sent) {
                return;
            }
            sent = true;
            try {
                super.sendHeaders(headers);
            } catch (IllegalStateException e) {
                // the call was closed meanwhile (cancelled): nobody to tell
            }
        }
    }
}
