package dev.ferry.client;

/** How a task ended, as far as the client knows. */
public enum TaskStatus {
    /** It ran and succeeded. */
    SUCCEEDED,
    /** It ran, but failed: a non-zero exit, HTTP 4xx/5xx, an SQL error. */
    FAILED,
    /** It could not run: the program was not found, the connection was refused. */
    ERROR,
    /** Its deadline passed; the worker stopped it. */
    TIMED_OUT,
    /** It was cancelled. */
    CANCELLED,
    /** A worker refused it before it ran ({@link TaskResult#refusal()} says why): nothing ran. */
    REJECTED,
    /**
     * A worker took it, or may have, and the connection broke before its answer: it may have run, or may still run.
     * {@link TaskResult#worker()} names the worker. Never retried by the client: send it again with the same task id
     * to the same worker to learn its outcome (a worker remembers the ids it ran), or decide yourself.
     */
    OUTCOME_UNKNOWN;

    /** @return whether the task certainly did not run */
    public boolean neverRan() {
        return this == REJECTED;
    }
}
