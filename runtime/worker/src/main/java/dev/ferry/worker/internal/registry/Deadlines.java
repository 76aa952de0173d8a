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

    private final Set<Execution> running = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile boolean stopped;

    Deadlines(String name) {
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
                if (e.state() != Execution.RUNNING) {
                    running.remove(e);
                } else if (now - e.deadlineNanos >= 0) {
                    running.remove(e);
                    double seconds = (e.deadlineNanos - e.startNanos) / 1e9;
                    try {
                        e.stop(Execution.TIMED_OUT, String.format("deadline of %.3fs passed", seconds));
                    } catch (RuntimeException ex) {
                        LOG.error("Could not time out task {}", e.taskId, ex);
                    }
                }
            }
        }
    }

    void close() {
        stopped = true;
        LockSupport.unpark(thread);
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
