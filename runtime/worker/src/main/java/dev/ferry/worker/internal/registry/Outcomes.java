package dev.ferry.worker.internal.registry;

import dev.ferry.executor.api.Executor;
import dev.ferry.executor.api.Rejection;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.support.Ticker;
import java.time.Duration;

/**
 * Every result the registry makes, and the stamp (duration, who ran it, the type's counters) on every
 * result it answers: no other registry class builds a {@link Result}. Executors build the results of
 * tasks that ran; what a stopped task's executor returned afterwards is folded in by {@link #stopped}.
 */
final class Outcomes {
    /** What a validation that passed admission is answered with inside the registry (never a caller's result). */
    static final Result VALID = Result.succeeded(new byte[0]);

    private final Ticker ticker;

    Outcomes(Ticker ticker) {
        this.ticker = ticker;
    }

    Ticker ticker() {
        return ticker;
    }

    // -- before admission

    Result shuttingDown() {
        return Result.rejected(Rejection.SHUTTING_DOWN, "the worker is shutting down; send the task to another worker");
    }

    /** @param why what the refused configuration says (the worker runs no task: its …) */
    Result notServing(String why) {
        return Result.rejected(Rejection.POLICY_DENIED, why);
    }

    Result badTimeout(Duration timeout) {
        return Result.rejected(Rejection.INVALID_PAYLOAD, "timeout: must be positive, got " + timeout);
    }

    /** @param why the type nobody serves, or why it is switched off, and what to do */
    Result unknownType(String why) {
        return Result.rejected(Rejection.UNKNOWN_TYPE, why);
    }

    Result drained(String why) {
        return Result.rejected(Rejection.DRAINED, why);
    }

    // -- admission

    Result overCapacity(TypeSlot slot) {
        return Result.rejected(
                Rejection.OVER_CAPACITY,
                "type '" + slot.type + "' is over capacity: " + slot.limit()
                        + " task(s) running, its limit; retry later, or raise max_concurrency / type_concurrency (or queue_wait_ms"
                        + " to wait for a slot) in " + RegistryConfig.PID + ", or the executor's own "
                        + Executor.MAX_CONCURRENCY);
    }

    Result notActivated(ServiceEntry e) {
        return Result.error(notActivatedText(e));
    }

    static String notActivatedText(ServiceEntry e) {
        return "executor " + e + " could not be activated; see the worker log for its error";
    }

    Result preparedNothing(ServiceEntry e) {
        return Result.error("executor " + e.executedBy
                + " prepared nothing for the task (a bug in that bundle: prepare must return a Prepared)");
    }

    Result invalidPayload(String problem) {
        return Result.rejected(Rejection.INVALID_PAYLOAD, problem);
    }

    Result prepareFailed(Throwable e) {
        return Result.rejected(Rejection.INVALID_PAYLOAD, "the executor failed to read the payload: " + e);
    }

    // -- running

    Result returnedNothing(ServiceEntry e) {
        return Result.error("executor " + e.executedBy + " returned no result (a bug in that bundle)");
    }

    Result executorFailed(ServiceEntry e, Throwable t) {
        return Result.error("executor " + e.executedBy + " failed: " + t);
    }

    /** What an executor that answered a stop with the interrupt it got said: "interrupted", and the interrupt's own words. */
    Result interruptedAtStop(InterruptedException e) {
        return Result.error(e.getMessage() == null ? "interrupted" : "interrupted: " + e.getMessage());
    }

    /** The task-thread pool is at its bound: the last guard, which the type limits normally keep far away. */
    Result noThread(int bound) {
        return Result.rejected(
                Rejection.OVER_CAPACITY,
                "the worker runs " + bound + " tasks at once, its most; retry"
                        + " later, or lower max_concurrency / type_concurrency in " + RegistryConfig.PID);
    }

    /** An Error (out of memory …) on a task thread: the caller still gets an answer, then the error goes on its way. */
    Result threadFailed(Throwable t) {
        return Result.error("the task failed with " + t);
    }

    /** A result whose output went to the live sink: passed on without it. */
    Result withoutOutput(Result r) {
        return r.toBuilder().output(new byte[0]).build();
    }

    /**
     * The result of a task the registry stopped (deadline or cancel): the registry owns its status. What
     * the executor returned afterwards, if anything yet, keeps its output and metadata, and its error
     * goes to {@link Result#EXECUTOR_ERROR}.
     */
    Result stopped(TaskRun run, Result returned) {
        Status status = run.state() == TaskRun.State.CANCELLED ? Status.CANCELLED : Status.TIMED_OUT;
        Result.Builder b = Result.builder(status).exitCode(-1).error(run.stopMessage());
        if (returned != null) {
            b.output(returned.output()).metadata(returned.metadata());
            if (!returned.error().isEmpty()) {
                b.metadata(Result.EXECUTOR_ERROR, returned.error());
            }
        }
        b.metadata(Result.DURATION_MICROS, Long.toString((ticker.nanos() - run.startNanos) / 1000));
        ServiceEntry e = run.entry();
        if (e != null) {
            b.metadata(Result.EXECUTED_BY, e.executedBy);
        }
        return b.build();
    }

    /** Stamps timing and origin onto a result and counts it in its type's statistics. */
    Result stamp(TypeSlot slot, ServiceEntry entry, Result result, long startNanos) {
        long micros = (ticker.nanos() - startNanos) / 1000;
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
