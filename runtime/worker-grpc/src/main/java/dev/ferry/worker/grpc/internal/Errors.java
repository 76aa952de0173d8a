package dev.ferry.worker.grpc.internal;

import dev.ferry.executor.api.Result;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** A rejected task, or a wrong request, as the gRPC status code a client can act on. */
final class Errors {
    private Errors() {}

    static StatusRuntimeException rejected(Result result) {
        String message = result.error().isEmpty() ? "rejected" : result.error();
        Status status;
        switch (result.rejection() == null ? dev.ferry.executor.api.Rejection.INVALID_PAYLOAD : result.rejection()) {
            case UNKNOWN_TYPE:
                status = Status.NOT_FOUND;
                break;
            case OVER_CAPACITY:
                status = Status.RESOURCE_EXHAUSTED;
                break;
            case POLICY_DENIED:
                status = Status.PERMISSION_DENIED;
                break;
            case SHUTTING_DOWN:
            case DRAINED:
                status = Status.UNAVAILABLE;
                break;
            case INVALID_PAYLOAD:
            default:
                status = Status.INVALID_ARGUMENT;
                break;
        }
        return status.withDescription(message).asRuntimeException();
    }

    static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }

    static StatusRuntimeException notFound(String message) {
        return Status.NOT_FOUND.withDescription(message).asRuntimeException();
    }
}
