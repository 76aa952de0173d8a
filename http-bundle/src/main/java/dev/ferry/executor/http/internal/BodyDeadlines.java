package dev.ferry.executor.http.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Times out response bodies that take too long. One thread looks at the requests in flight every
 * {@link #TICK_MILLIS} ms: a timer task per request would wake a timer thread per request.
 */
final class BodyDeadlines implements Runnable {
    static final long TICK_MILLIS = 10;
    static final long IDLE_TICK_MILLIS = 100;

    /** A request whose body must be read by {@code deadlineNanos}. */
    static final class Watched {
        final long deadlineNanos;
        final Runnable onTimeout;

        Watched(long deadlineNanos, Runnable onTimeout) {
            this.deadlineNanos = deadlineNanos;
            this.onTimeout = onTimeout;
        }
    }

    private final Set<Watched> running = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile boolean stopped;

    BodyDeadlines() {
        thread = new Thread(this, "ferry-http-deadlines");
        thread.setDaemon(true);
        thread.start();
    }

    Watched watch(long deadlineNanos, Runnable onTimeout) {
        Watched w = new Watched(deadlineNanos, onTimeout);
        running.add(w);
        return w;
    }

    void done(Watched w) {
        running.remove(w);
    }

    @Override
    public void run() {
        while (!stopped) {
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(running.isEmpty() ? IDLE_TICK_MILLIS : TICK_MILLIS));
            long now = System.nanoTime();
            for (Watched w : running) {
                if (now - w.deadlineNanos >= 0 && running.remove(w)) {
                    w.onTimeout.run();
                }
            }
        }
    }

    void close() {
        stopped = true;
        LockSupport.unpark(thread);
    }
}
