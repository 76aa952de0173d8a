package dev.ferry.executor.api;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of a task: a {@link Status}, the output bytes, an exit code, an error text and
 * metadata (stderr, timings, truncation flags, response headers …). Immutable.
 *
 * <p>There is a factory per status ({@link #succeeded}, {@link #failed}, {@link #error},
 * {@link #timedOut}, {@link #cancelled}, {@link #rejected}); {@link #builder} adds output and
 * metadata. A {@link Status#REJECTED} result always says why ({@link #rejection()}), and only a
 * rejected one does: {@link Builder#build()} refuses anything else.
 *
 * <h2>What the exit code means, per built-in type</h2>
 * <ul>
 * <li>{@code command}: the process's exit status; 128+N when signal N ended it; -1 when it could
 *     not start.</li>
 * <li>{@code http}: the HTTP status code (200, 404 …); -1 when no response came (refused,
 *     timed out, denied by the egress policy).</li>
 * <li>{@code jdbc}: 0 for a statement that ran (the rows or update count are the output); the
 *     driver's vendor error code of an SQL error (FAILED), 1 when the driver gives none; -1 when it
 *     could not run.</li>
 * <li>Any type: -1 for ERROR, TIMED_OUT, CANCELLED and REJECTED unless the executor says more.</li>
 * </ul>
 *
 * <pre>
 * return Result.builder(Status.FAILED)
 *         .output(stdout)
 *         .exitCode(2)
 *         .metadata("stderr", "no such file")
 *         .build();
 * </pre>
 */
public final class Result {
    private static final byte[] EMPTY = new byte[0];

    /** Metadata key the registry sets: wall-clock time of the execution, in microseconds. */
    public static final String DURATION_MICROS = "ferry.duration_us";

    /** Metadata key the registry sets: {@code symbolic-name/version} of the bundle that ran it. */
    public static final String EXECUTED_BY = "ferry.executed_by";

    private final Status status;
    private final byte[] output;
    private final int exitCode;
    private final String error;
    /**
     * Metadata key the registry sets when it stopped a task (deadline, cancel) and the executor then
     * returned an error of its own: that error, in the result of a caller that waited for the executor
     * ({@link ExecutorRegistry#execute}). A caller answered at the stop has its result already; the
     * registry logs the error then.
     */
    public static final String EXECUTOR_ERROR = "ferry.executor_error";

    private final Map<String, String> metadata;
    private final Rejection rejection;

    private Result(Builder b) {
        this.status = b.status;
        this.output = b.output;
        this.exitCode = b.exitCode;
        this.error = b.error;
        // the builder's map is handed over, not copied: the builder copies it first if it is changed again
        this.metadata = b.metadata == null ? Map.of() : Collections.unmodifiableMap(b.metadata);
        b.shared = true;
        this.rejection = b.rejection;
    }

    /**
     * @param status the status
     * @return a builder for a result with that status
     */
    public static Builder builder(Status status) {
        return new Builder(status);
    }

    /**
     * @param output the output bytes (not copied)
     * @return a {@link Status#SUCCEEDED} result with exit code 0
     */
    public static Result succeeded(byte[] output) {
        return builder(Status.SUCCEEDED).output(output).build();
    }

    /**
     * @param output the output, encoded as UTF-8
     * @return a {@link Status#SUCCEEDED} result with exit code 0
     */
    public static Result succeeded(String output) {
        return succeeded(output.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param exitCode the exit code (see the class comment for what it means per type)
     * @param error what failed, for the caller
     * @return a {@link Status#FAILED} result
     */
    public static Result failed(int exitCode, String error) {
        return builder(Status.FAILED).exitCode(exitCode).error(error).build();
    }

    /**
     * @param error what the caller should know, e.g. {@code "deadline of 5s passed"}
     * @return a {@link Status#TIMED_OUT} result with exit code -1
     */
    public static Result timedOut(String error) {
        return builder(Status.TIMED_OUT).exitCode(-1).error(error).build();
    }

    /**
     * @param error what the caller should know, e.g. {@code "cancelled by the caller"}
     * @return a {@link Status#CANCELLED} result with exit code -1
     */
    public static Result cancelled(String error) {
        return builder(Status.CANCELLED).exitCode(-1).error(error).build();
    }

    /**
     * @param error why the task could not run, for the caller
     * @return an {@link Status#ERROR} result with exit code -1
     */
    public static Result error(String error) {
        return builder(Status.ERROR).exitCode(-1).error(error).build();
    }

    /**
     * @param rejection why the task was refused
     * @param error the message for the caller, naming what to fix
     * @return a {@link Status#REJECTED} result with exit code -1
     */
    public static Result rejected(Rejection rejection, String error) {
        return builder(Status.REJECTED)
                .rejection(rejection)
                .exitCode(-1)
                .error(error)
                .build();
    }

    /** @return the status */
    public Status status() {
        return status;
    }

    /** @return the output bytes; must not be modified */
    public byte[] output() {
        return output;
    }

    /** @return the output decoded as UTF-8 */
    public String outputAsString() {
        return new String(output, StandardCharsets.UTF_8);
    }

    /** @return the exit code: the process's, the HTTP status, or -1 when the task could not run */
    public int exitCode() {
        return exitCode;
    }

    /** @return the error text, or {@code ""} when there is none */
    public String error() {
        return error;
    }

    /** @return the metadata, unmodifiable */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** @return why the task was rejected, or {@code null} unless the status is REJECTED */
    public Rejection rejection() {
        return rejection;
    }

    /** @return a builder initialised with this result's values */
    public Builder toBuilder() {
        Builder b = new Builder(status)
                .output(output)
                .exitCode(exitCode)
                .error(error)
                .rejection(rejection);
        b.metadata = metadata.isEmpty() ? null : new HashMap<>(metadata);
        return b;
    }

    @Override
    public String toString() {
        return "Result[" + status + ", exit=" + exitCode + ", " + output.length + " bytes"
                + (error.isEmpty() ? "" : ", error=" + error) + "]";
    }

    /** Builds a {@link Result}; not thread-safe. */
    public static final class Builder {
        private Status status;
        private byte[] output = EMPTY;
        private int exitCode;
        private String error = "";
        private Map<String, String> metadata;
        private boolean shared;
        private Rejection rejection;

        private Builder(Status status) {
            this.status = Objects.requireNonNull(status, "status");
        }

        /** @param status the status @return this */
        public Builder status(Status status) {
            this.status = Objects.requireNonNull(status, "status");
            return this;
        }

        /** @param output the output bytes, not copied @return this */
        public Builder output(byte[] output) {
            this.output = output == null ? EMPTY : output;
            return this;
        }

        /** @param output the output, encoded as UTF-8 @return this */
        public Builder output(String output) {
            return output(output == null ? EMPTY : output.getBytes(StandardCharsets.UTF_8));
        }

        /** @param exitCode the exit code @return this */
        public Builder exitCode(int exitCode) {
            this.exitCode = exitCode;
            return this;
        }

        /** @param error the error text @return this */
        public Builder error(String error) {
            this.error = error == null ? "" : error;
            return this;
        }

        /** @param rejection why the task was rejected @return this */
        public Builder rejection(Rejection rejection) {
            this.rejection = rejection;
            return this;
        }

        /** @param key a metadata key @param value its value; {@code null} removes it @return this */
        public Builder metadata(String key, String value) {
            if (metadata == null) {
                metadata = new HashMap<>();
            } else if (shared) {
                metadata = new HashMap<>(metadata);
                shared = false;
            }
            if (value == null) {
                metadata.remove(key);
            } else {
                metadata.put(key, value);
            }
            return this;
        }

        /** @param values metadata entries to add @return this */
        public Builder metadata(Map<String, String> values) {
            values.forEach(this::metadata);
            return this;
        }

        /**
         * @return the result
         * @throws IllegalStateException when the status is {@link Status#REJECTED} without a
         *     {@link #rejection}, or a rejection is set on another status
         */
        public Result build() {
            if (status == Status.REJECTED && rejection == null) {
                throw new IllegalStateException(
                        "a REJECTED result needs a rejection saying why;" + " use Result.rejected(Rejection, message)");
            }
            if (status != Status.REJECTED && rejection != null) {
                throw new IllegalStateException("a " + status + " result cannot carry a rejection (" + rejection
                        + "); only REJECTED results do");
            }
            return new Result(this);
        }
    }
}
