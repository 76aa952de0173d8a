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
        return builder(Status.REJECTED).rejection(rejection).exitCode(-1).error(error).build();
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
        Builder b = new Builder(status).output(output).exitCode(exitCode).error(error).rejection(rejection);
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

        /** @return the result */
        public Result build() {
            return new Result(this);
        }
    }
}
