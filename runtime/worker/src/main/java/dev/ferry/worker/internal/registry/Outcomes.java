package dev.ferry.worker.internal.registry;

import dev.ferry.executor.api.Rejection;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;

/** Where the registry builds the results it makes itself: a stopped task's, and the stamp on every result. */
final class Outcomes {
    private Outcomes() {
    }

    /**
     * The result of a task the registry stopped (deadline or cancel): the registry owns its status. What
     * the executor returned afterwards, if anything yet, keeps its output and metadata, and its error
     * goes to {@link Result#EXECUTOR_ERROR}.
     */
    static Result stopped(Execution x, Result returned) {
        Status status = x.state() == Execution.CANCELLED ? Status.CANCELLED : Status.TIMED_OUT;
        Result.Builder b = Result.builder(status).exitCode(-1).error(x.stopMessage);
        if (returned != null) {
            b.output(returned.output()).metadata(returned.metadata());
            if (!returned.error().isEmpty()) {
                b.metadata(Result.EXECUTOR_ERROR, returned.error());
            }
        }
        b.metadata(Result.DURATION_MICROS, Long.toString((System.nanoTime() - x.startNanos) / 1000));
        ServiceEntry e = x.entry;
        if (e != null) {
            b.metadata(Result.EXECUTED_BY, e.executedBy);
        }
        return b.build();
    }

    /** The answer to a task that arrives while the worker stops. */
    static Result shuttingDown() {
        return Result.rejected(Rejection.SHUTTING_DOWN, "the worker is shutting down; send the task to another worker");
    }

    /** Stamps timing and origin onto a result and counts it in its type's statistics. */
    static Result stamp(TypeSlot slot, ServiceEntry entry, Result result, long startNanos) {
        long micros = (System.nanoTime() - startNanos) / 1000;
        if (slot != null) {
            slot.stats.record(result.status(), result.rejection(), micros);
        }
        Result.Builder b = result.toBuilder().metadata(Result.DURATION_MICROS, Long.toString(micros));
        if (entry != null) {
            b.metadata(Result.EXECUTED_BY, entry.executedBy);
        }
        return b.build();
    }
}
