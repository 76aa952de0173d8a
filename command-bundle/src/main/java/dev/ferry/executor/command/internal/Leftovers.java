package dev.ferry.executor.command.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Watches running commands for one case: the program exited but its output is still open, held by
 * processes it left behind (a {@code sleep 300 &}). After a linger period those leftovers are
 * killed, so the task ends. One thread looks at all commands every {@link #TICK_MILLIS} ms; a
 * per-process exit callback would cost every task a thread hand-off.
 */
final class Leftovers implements Runnable {
    static final long TICK_MILLIS = 100;

    /** A running command as the watch sees it. */
    static final class Watched {
        final Process process;
        final String marker;
        volatile boolean outputDone;
        long exitSeenAt;

        Watched(Process process, String marker) {
            this.process = process;
            this.marker = marker;
        }
    }

    private final Set<Watched> running = ConcurrentHashMap.newKeySet();
    private final long lingerNanos;
    private final Consumer<Watched> killer;
    private final Thread thread;
    private volatile boolean stopped;

    Leftovers(long lingerMillis, Consumer<Watched> killer) {
        this.lingerNanos = TimeUnit.MILLISECONDS.toNanos(lingerMillis);
        this.killer = killer;
        this.thread = new Thread(this, "ferry-command-leftovers");
        thread.setDaemon(true);
        thread.start();
    }

    Watched watch(Process process, String marker) {
        Watched w = new Watched(process, marker);
        running.add(w);
        return w;
    }

    void done(Watched w) {
        w.outputDone = true;
        running.remove(w);
    }

    @Override
    public void run() {
        while (!stopped) {
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
            long now = System.nanoTime();
            for (Watched w : running) {
                if (w.outputDone) {
                    running.remove(w);
                } else if (!w.process.isAlive()) {
                    if (w.exitSeenAt == 0) {
                        w.exitSeenAt = now;
                    } else if (now - w.exitSeenAt >= lingerNanos) {
                        running.remove(w);
                        killer.accept(w);
                    }
                }
            }
        }
    }

    void close() {
        stopped = true;
        LockSupport.unpark(thread);
    }
}
