package dev.ferry.executor.api;

/**
 * How a task ended. Every execution ends with exactly one of these; expected failures are a
 * status, never an exception.
 */
public enum Status {
    /** The task ran and succeeded (exit code 0, HTTP 2xx/3xx, SQL statement done). */
    SUCCEEDED,
    /** The task ran but failed: non-zero exit, HTTP 4xx/5xx, an SQL error. */
    FAILED,
    /** The task could not run: program not found, connection refused, executor threw. */
    ERROR,
    /** The effective deadline passed before the task finished. */
    TIMED_OUT,
    /** The caller cancelled the task. */
    CANCELLED,
    /** The task was refused before it ran: see {@link Result#rejection()} for why. */
    REJECTED;

    /** @return {@code true} for {@link #SUCCEEDED}. */
    public boolean isSuccess() {
        return this == SUCCEEDED;
    }
}
