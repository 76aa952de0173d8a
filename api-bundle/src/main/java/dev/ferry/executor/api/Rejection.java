package dev.ferry.executor.api;

/** Why a task was {@link Status#REJECTED} before it ran. */
public enum Rejection {
    /** No executor serves the task's type (nor arrived within the registry's grace period). */
    UNKNOWN_TYPE,
    /** The payload failed the executor's validation; the message names the field. */
    INVALID_PAYLOAD,
    /** The type's concurrency limit was reached (and the configured wait, if any, passed). */
    OVER_CAPACITY,
    /** A policy denied the task: a blocked program, a denied address, a read-only datasource. */
    POLICY_DENIED,
    /** The worker is shutting down and takes no new tasks. */
    SHUTTING_DOWN,
    /** The operator drained the type for maintenance: it takes no new tasks until resumed. */
    DRAINED
}
