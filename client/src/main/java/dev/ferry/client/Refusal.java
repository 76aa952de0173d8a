package dev.ferry.client;

import dev.ferry.worker.grpc.v1.WorkerMetadata;

/** Why a worker refused a task before it ran. */
public enum Refusal {
    /** No executor serves the type (NOT_FOUND). */
    UNKNOWN_TYPE,
    /** The request or its payload is wrong (INVALID_ARGUMENT); the error names the field. */
    INVALID,
    /** Every worker asked was at its concurrency limit for the type (RESOURCE_EXHAUSTED). */
    OVER_CAPACITY,
    /** The executor's policy refused it (PERMISSION_DENIED): a program not allowed, an address denied. */
    POLICY,
    /** The type is drained on the workers asked (UNAVAILABLE). */
    DRAINED,
    /** The workers asked are stopping (UNAVAILABLE). */
    STOPPING,
    /** The bearer token is missing or wrong (UNAUTHENTICATED). */
    UNAUTHENTICATED,
    /** The task id names another task the worker runs or ran (ALREADY_EXISTS). */
    DUPLICATE_ID,
    /** Some other refusal; the error says what. */
    OTHER;

    static Refusal of(String wire) {
        if (wire == null) {
            return OTHER;
        }
        switch (wire) {
            case WorkerMetadata.REFUSED_UNKNOWN_TYPE:
                return UNKNOWN_TYPE;
            case WorkerMetadata.REFUSED_INVALID:
                return INVALID;
            case WorkerMetadata.REFUSED_OVER_CAPACITY:
                return OVER_CAPACITY;
            case WorkerMetadata.REFUSED_POLICY:
                return POLICY;
            case WorkerMetadata.REFUSED_DRAINED:
                return DRAINED;
            case WorkerMetadata.REFUSED_STOPPING:
                return STOPPING;
            case WorkerMetadata.REFUSED_UNAUTHENTICATED:
                return UNAUTHENTICATED;
            case WorkerMetadata.REFUSED_DUPLICATE_ID:
                return DUPLICATE_ID;
            default:
                return OTHER;
        }
    }
}
