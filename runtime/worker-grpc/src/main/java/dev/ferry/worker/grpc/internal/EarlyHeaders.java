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
 *
 * <p>gRPC holds back a unary method's headers until its reply (they would go out together); {@link #flushed}
 * registers Execute as server-streaming on this side so they leave at once. On the wire a unary call and a
 * server-streaming call with one reply are the same: clients see no difference.
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

    /** The service with the named unary method registered as server-streaming, so its early headers are flushed. */
    static io.grpc.ServerServiceDefinition flushed(io.grpc.ServerServiceDefinition service, String fullMethodName) {
        io.grpc.ServiceDescriptor original = service.getServiceDescriptor();
        io.grpc.ServiceDescriptor.Builder descriptor = io.grpc.ServiceDescriptor.newBuilder(original.getName())
                .setSchemaDescriptor(original.getSchemaDescriptor());
        java.util.List<io.grpc.ServerMethodDefinition<?, ?>> methods = new java.util.ArrayList<>();
        for (io.grpc.ServerMethodDefinition<?, ?> m : service.getMethods()) {
            io.grpc.ServerMethodDefinition<?, ?> bound =
                    m.getMethodDescriptor().getFullMethodName().equals(fullMethodName) ? streaming(m) : m;
            descriptor.addMethod(bound.getMethodDescriptor());
            methods.add(bound);
        }
        io.grpc.ServerServiceDefinition.Builder out = io.grpc.ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(out::addMethod);
        return out.build();
    }

    private static <Q, A> io.grpc.ServerMethodDefinition<Q, A> streaming(io.grpc.ServerMethodDefinition<Q, A> m) {
        return io.grpc.ServerMethodDefinition.create(
                m.getMethodDescriptor().toBuilder()
                        .setType(io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
                        .build(),
                m.getServerCallHandler());
    }
}
