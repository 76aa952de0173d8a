package dev.ferry.worker.internal.registry;

import dev.ferry.executor.api.Result;
import dev.ferry.support.Threads;
import dev.ferry.worker.internal.registry.Verdict.Admitted;
import dev.ferry.worker.internal.registry.Verdict.Refused;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs admitted tasks, on the caller's thread or its pool, under the watchdog; answers refused ones. */
final class Runner {
    private static final Logger LOG = LoggerFactory.getLogger(Runner.class);

    /**
     * Unbounded in threads but not in work: every task holds a permit of its type before it is handed
     * over, so the pool never holds more tasks than the sum of the type limits.
     */
    private final ThreadPoolExecutor pool = Threads.daemonPool("ferry-task", 60);
    private final Deadlines deadlines;

    Runner(Deadlines deadlines) {
        this.deadlines = deadlines;
    }

    java.util.concurrent.Executor pool() {
        return pool;
    }

    /** Where a verdict reached later goes: admitted tasks start on the pool, refused ones are answered. */
    void deliver(Execution x, Verdict v) {
        if (v instanceof Admitted a) {
            start(x, a);
        } else {
            Refused r = (Refused) v;
            x.future.complete(Outcomes.stamp(x.slot, r.entry(), r.result(), x.startNanos));
        }
    }

    /** Runs an admitted task on the pool; its future completes with the result. */
    void start(Execution x, Admitted a) {
        try {
            pool.execute(() -> {
                try {
                    x.future.complete(run(x, a));
                } catch (Throwable t) {
                    // run() reports every exception as a result; this is an Error (out of memory…):
                    // the caller still gets an answer, then the error goes on its way
                    x.future.complete(Result.error("the task failed with " + t));
                    throw t;
                }
            });
        } catch (RejectedExecutionException e) {
            a.slot().release();
            a.entry().exit();
            x.future.complete(Outcomes.stamp(x.slot, a.entry(), Outcomes.shuttingDown(), x.startNanos));
        }
    }

    /** Runs an admitted task on the calling thread. */
    Result run(Execution x, Admitted a) {
        ServiceEntry entry = a.entry();
        x.entry = entry;
        long cap = x.startNanos + Math.min(x.timeoutNanos, entry.maxTimeoutNanos);
        if (cap - x.deadlineNanos < 0) {
            x.tighten(java.time.Duration.ofNanos(cap - System.nanoTime()));
        }
        deadlines.watch(x);
        Result result;
        boolean normal;
        x.enter(Thread.currentThread());
        try {
            // a submitted task cancelled (or timed out) before a thread picked it up never starts
            if (x.state() == Execution.RUNNING) {
                if (x.live.isPresent()) { // not ifPresent: its capturing lambda would cost every task an allocation
                    started(x.live.get(), x, entry);
                }
                result = a.prepared().execute(x);
            } else {
                result = null;
            }
            if (result == null && x.state() == Execution.RUNNING) {
                result = Result.error("executor " + entry.executedBy + " returned no result (a bug in that bundle)");
            }
            if (x.live.isPresent() && result != null && result.output().length > 0 && x.state() == Execution.RUNNING) {
                result = passOn(x.live.get(), result);
            }
        } catch (Exception | LinkageError e) {
            // LinkageError: the executor's bundle was refreshed under it; the task is reported, the worker goes on.
            if (x.state() == Execution.RUNNING) {
                LOG.warn("Executor {} failed on task {}", entry, x.task.id(), e);
            }
            result = Result.error("executor " + entry.executedBy + " failed: " + e);
        } finally {
            normal = x.finish();
            deadlines.unwatch(x);
            a.slot().release();
            entry.exit();
        }
        if (!normal) {
            if (result != null && !result.error().isEmpty()) {
                // the caller was answered at the stop, before this came back: the executor's own word goes to the log
                LOG.info("Task {} was stopped ({}); afterwards executor {} answered: {} {}", x.task.id(), x.stopMessage,
                        entry.executedBy, result.status(), result.error());
            }
            result = Outcomes.stopped(x, result);
        }
        return Outcomes.stamp(a.slot(), entry, result, x.startNanos);
    }

    private static void started(dev.ferry.executor.api.OutputSink sink, Execution x, ServiceEntry entry) {
        try {
            sink.started(x.task.id(), entry.executedBy);
        } catch (RuntimeException e) {
            LOG.warn("The output sink of task {} failed when the task started; the task runs on", x.task.id(), e);
        }
    }

    /**
     * An executor that returned its output instead of writing it live: the output goes to the sink as one
     * write (the sink cuts it into its own chunks), and the result on without it.
     */
    private static Result passOn(dev.ferry.executor.api.OutputSink sink, Result result) throws InterruptedException {
        byte[] output = result.output();
        sink.write(dev.ferry.executor.api.OutputSink.Channel.OUTPUT, output, 0, output.length);
        return result.toBuilder().output(new byte[0]).build();
    }

    void close() {
        pool.shutdown();
    }
}
