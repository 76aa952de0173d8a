package dev.ferry.worker.internal.registry;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One daemon thread that times out executions whose deadline passed. Registering is a hash-set
 * insert (no timer object per task); the thread looks every {@link #TICK_NANOS}, so a deadline is
 * enforced within about that much.
 */
final class Deadlines implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Deadlines.class);
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /**
     * Executions whose thread is inside the executor (the registry removes each when it returns):
     * running ones are timed out here, stopped ones are reported once their thread stays too long.
     */
    private final Set<Execution> running = ConcurrentHashMap.newKeySet();
    /** How long a stopped task's thread may take to come back before it is reported as stuck. */
    static final long STUCK_NANOS = TimeUnit.SECONDS.toNanos(10);
    volatile long stuckNanos = STUCK_NANOS;
    private final Thread thread;
    private volatile boolean stopped;

    /**
     * Where a timed-out task's cancel hooks run: a hook may block (a statement cancel is a round trip to
     * the database, a process kill may wait out its grace period), and this thread must be free to
     * time out the next task on time.
     */
    private final java.util.concurrent.ThreadPoolExecutor hooks;
    private final java.util.concurrent.Executor stopper;

    Deadlines(String name) {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        hooks = new java.util.concurrent.ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                new java.util.concurrent.SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, name + "-stop-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        stopper = r -> {
            try {
                hooks.execute(r);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                r.run();
            }
        };
        thread = new Thread(this, name);
        thread.setDaemon(true);
        thread.start();
    }

    void add(Execution e) {
        running.add(e);
    }

    void remove(Execution e) {
        running.remove(e);
    }

    @Override
    public void run() {
        while (!stopped) {
            LockSupport.parkNanos(this, TICK_NANOS);
            long now = System.nanoTime();
            for (Execution e : running) {
                int state = e.state();
                if (state == Execution.DONE) {
                    running.remove(e);
                } else if (state != Execution.RUNNING) {
                    if (now - e.stoppedNanos >= stuckNanos) {
                        running.remove(e);
                        report(e, now);
                    }
                } else if (now - e.deadlineNanos >= 0) {
                    double seconds = (e.deadlineNanos - e.startNanos) / 1e9;
                    try {
                        e.stop(Execution.TIMED_OUT, String.format("deadline of %.3fs passed", seconds), stopper);
                    } catch (RuntimeException ex) {
                        LOG.error("Could not time out task {}", e.taskId, ex);
                    }
                }
            }
        }
    }

    /**
     * A task was stopped but its thread is still inside the executor, burning what it burns: the
     * caller has its answer, the operator must learn of it (the log with the stack, health).
     */
    private static void report(Execution e, long now) {
        Thread t = e.stuckThread();
        if (t == null) {
            return;
        }
        e.slot.stuck.put(e.taskId, t.getName());
        StringBuilder stack = new StringBuilder();
        for (StackTraceElement frame : t.getStackTrace()) {
            stack.append("\n\tat ").append(frame);
        }
        LOG.warn("Task {} was stopped {} ms ago ({}) but its thread {} is still inside executor {}; it holds a slot and"
                + " whatever it uses until it returns. Its stack:{}", e.taskId, (now - e.stoppedNanos) / 1_000_000,
                e.stopMessage, t.getName(), e.executedBy, stack);
    }

    void close() {
        stopped = true;
        hooks.shutdown();
        LockSupport.unpark(thread);
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
