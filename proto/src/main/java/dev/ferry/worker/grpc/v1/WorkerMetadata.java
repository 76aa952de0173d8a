package dev.ferry.worker.grpc.v1;

import io.grpc.Metadata;

/**
 * The gRPC metadata the worker adds to its answers, as worker.proto describes it (the names are the contract; these
 * are the Java keys for them).
 *
 * <ul>
 *   <li>{@link #TASK}, a response <em>header</em>: the worker took the task (it runs, or waits for a slot). gRPC
 *       commits a call once its headers arrive, so a call that has it is never retried by the client's retry
 *       policy: a failure after it leaves the task's outcome unknown.
 *   <li>{@link #REFUSAL}, a <em>trailer</em> of an error the worker answered without running the task: one of the
 *       {@code REFUSED_*} names. A call that ends with an error and no such trailer was not answered by a worker
 *       (the connection failed, or a proxy answered).
 * </ul>
 */
public final class WorkerMetadata {
    private WorkerMetadata() {}

    /** Response header: the id of the task the worker took. */
    public static final Metadata.Key<String> TASK = Metadata.Key.of("ferry-task", Metadata.ASCII_STRING_MARSHALLER);

    /** Error trailer: why the worker refused the call, before any task ran. */
    public static final Metadata.Key<String> REFUSAL =
            Metadata.Key.of("ferry-refusal", Metadata.ASCII_STRING_MARSHALLER);

    /** NOT_FOUND: no executor serves the type here. */
    public static final String REFUSED_UNKNOWN_TYPE = "unknown-type";
    /** INVALID_ARGUMENT: the request or its payload is wrong. */
    public static final String REFUSED_INVALID = "invalid";
    /** RESOURCE_EXHAUSTED: the type is at its concurrency limit (retry: another worker may take it). */
    public static final String REFUSED_OVER_CAPACITY = "over-capacity";
    /** PERMISSION_DENIED: the executor's policy refused the task. */
    public static final String REFUSED_POLICY = "policy";
    /** UNAVAILABLE: an operator drained the type here (retry: another worker may take it). */
    public static final String REFUSED_DRAINED = "drained";
    /** UNAVAILABLE: the worker is stopping (retry: another worker may take it). */
    public static final String REFUSED_STOPPING = "stopping";
    /** UNAUTHENTICATED: the bearer token is missing or wrong. */
    public static final String REFUSED_UNAUTHENTICATED = "unauthenticated";
    /** ALREADY_EXISTS: the task id was used for a different task, or a stream asked to replay one that ran. */
    public static final String REFUSED_DUPLICATE_ID = "duplicate-id";
}
