package dev.ferry.worker.grpc.internal;

import dev.ferry.worker.spi.MetricFamily;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts the calls the gRPC API answers, by method and status code, for the worker's metrics endpoint
 * (published as a {@link Supplier} of the values by label values: the endpoint's whiteboard, JDK types only).
 * Added last, so it runs first and counts the calls the token check refuses too. Counts outlive a restart of
 * the server on a configuration change.
 */
final class CallCounter implements ServerInterceptor, MetricFamily {
    private static final Status.Code[] CODES = Status.Code.values();

    private final Map<String, AtomicLongArray> byMethod = new ConcurrentHashMap<>();

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        AtomicLongArray codes = byMethod.computeIfAbsent(
                call.getMethodDescriptor().getFullMethodName(), m -> new AtomicLongArray(CODES.length));
        return next.startCall(
                new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                    @Override
                    public void close(Status status, Metadata trailers) {
                        codes.incrementAndGet(status.getCode().value());
                        super.close(status, trailers);
                    }
                },
                headers);
    }

    @Override
    public String name() {
        return "ferry_grpc_calls_total";
    }

    @Override
    public String type() {
        return "counter";
    }

    @Override
    public String help() {
        return "Calls the gRPC API answered, by method and status code.";
    }

    @Override
    public List<String> labels() {
        return List.of("method", "code");
    }

    @Override
    public Map<List<String>, Long> samples() {
        Map<List<String>, Long> out = new LinkedHashMap<>();
        byMethod.forEach((method, codes) -> {
            for (Status.Code code : CODES) {
                long n = codes.get(code.value());
                if (n > 0) {
                    out.put(List.of(method, code.name()), n);
                }
            }
        });
        return out;
    }
}
