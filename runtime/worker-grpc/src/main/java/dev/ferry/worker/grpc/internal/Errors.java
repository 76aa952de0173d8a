package dev.ferry.worker.grpc.internal;

import dev.ferry.executor.api.Result;
import dev.ferry.worker.grpc.v1.WorkerMetadata;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * A rejected task, or a wrong request, as the gRPC status code a client can act on, with the
 * {@link WorkerMetadata#REFUSAL} trailer that says the worker answered it and ran nothing.
 */
final class Errors {
    private Errors() {}

    static StatusRuntimeException rejected(Result result) {
        String message = result.error().isEmpty() ? "rejected" : result.error();
        switch (result.rejection() == null ? dev.ferry.executor.api.Rejection.INVALID_PAYLOAD : result.rejection()) {
            case UNKNOWN_TYPE:
                return refused(Status.NOT_FOUND, WorkerMetadata.REFUSED_UNKNOWN_TYPE, message);
            case OVER_CAPACITY:
                return refused(Status.RESOURCE_EXHAUSTED, WorkerMetadata.REFUSED_OVER_CAPACITY, message);
            case POLICY_DENIED:
                return refused(Status.PERMISSION_DENIED, WorkerMetadata.REFUSED_POLICY, message);
            case SHUTTING_DOWN:
                return refused(Status.UNAVAILABLE, WorkerMetadata.REFUSED_STOPPING, message);
            case DRAINED:
                return refused(Status.UNAVAILABLE, WorkerMetadata.REFUSED_DRAINED, message);
            case INVALID_PAYLOAD:
            default:
                return invalid(message);
        }
    }

    static StatusRuntimeException invalid(String message) {
        return refused(Status.INVALID_ARGUMENT, WorkerMetadata.REFUSED_INVALID, message);
    }

    static StatusRuntimeException notFound(String message) {
        return refused(Status.NOT_FOUND, WorkerMetadata.REFUSED_UNKNOWN_TYPE, message);
    }

    static StatusRuntimeException duplicate(String message) {
        return refused(Status.ALREADY_EXISTS, WorkerMetadata.REFUSED_DUPLICATE_ID, message);
    }

    static Metadata trailers(String refusal) {
        Metadata m = new Metadata();
        m.put(WorkerMetadata.REFUSAL, refusal);
        return m;
    }

    private static StatusRuntimeException refused(Status status, String refusal, String message) {
        return status.withDescription(message).asRuntimeException(trailers(refusal));
    }
}
