package dev.ferry.support;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One daemon thread that looks at a set of items every tick: the skeleton of every "watch every N ms"
 * in Ferry (the registry's deadlines and waits, the command executor's leftovers). Adding and removing
 * an item is a hash-set operation, no timer object per item. The thread ticks slower while the set is
 * empty; it never dies of an exception thrown by a check (that is logged, and the item dropped).
 *
 * @param <T> what is watched
 */
public final class Watch<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Watch.class);

    /** Looks at one item. */
    @FunctionalInterface
    public interface Check<T> {
        /**
         * @param item the item
         * @param nowNanos {@link System#nanoTime()} at this tick
         * @return {@code true} when the item needs no more watching (it is dropped)
         */
        boolean check(T item, long nowNanos);
    }

    /** Looks at all items at once (one pass over something shared, such as /proc, for all of them). */
    @FunctionalInterface
    public interface BatchCheck<T> {
        /**
         * @param items the items watched now; remove those that need no more watching
         * @param nowNanos {@link System#nanoTime()} at this tick
         */
        void check(Set<T> items, long nowNanos);
    }

    private final Set<T> items = ConcurrentHashMap.newKeySet();
    private final Check<T> check;
    private final BatchCheck<T> batch;
    private final long tickNanos;
    private final long idleTickNanos;
    private final Thread thread;
    private final Ticker ticker;
    private volatile boolean closed;

    /**
     * @param name the thread's name
     * @param tickNanos the period while something is watched
     * @param idleTickNanos the period while nothing is
     * @param check what to do with each item at each tick
     */
    public Watch(String name, long tickNanos, long idleTickNanos, Check<T> check) {
        this(name, tickNanos, idleTickNanos, check, null, Ticker.SYSTEM);
    }

    /**
     * @param name the thread's name
     * @param tickNanos the period while something is watched
     * @param idleTickNanos the period while nothing is
     * @param check what to do with each item at each tick
     * @param ticker the clock whose time each check is given
     */
    public Watch(String name, long tickNanos, long idleTickNanos, Check<T> check, Ticker ticker) {
        this(name, tickNanos, idleTickNanos, check, null, ticker);
    }

    /**
     * A watch that looks at all its items in one call per tick, made only while there are items.
     *
     * @param name the thread's name
     * @param tickNanos the period while something is watched
     * @param idleTickNanos the period while nothing is
     * @param batch what to do with the items at each tick
     * @param <T> what is watched
     * @return the watch, running
     */
    public static <T> Watch<T> batch(String name, long tickNanos, long idleTickNanos, BatchCheck<T> batch) {
        return new Watch<>(name, tickNanos, idleTickNanos, null, batch, Ticker.SYSTEM);
    }

    private Watch(String name, long tickNanos, long idleTickNanos, Check<T> check, BatchCheck<T> batch, Ticker ticker) {
        this.ticker = ticker;
        this.check = check;
        this.batch = batch;
        this.tickNanos = tickNanos;
        this.idleTickNanos = idleTickNanos;
        this.thread = Threads.daemon(name, this::loop);
        thread.start();
    }

    /** @param item starts watching it */
    public void add(T item) {
        items.add(item);
    }

    /** @param item stops watching it */
    public void remove(T item) {
        items.remove(item);
    }

    /** Hands each item watched now to the action (a snapshot-free walk: items added meanwhile may be seen or not). */
    public void forEach(java.util.function.Consumer<T> action) {
        items.forEach(action);
    }

    /** @return how many items are watched */
    public int size() {
        return items.size();
    }

    private void loop() {
        while (!closed) {
            LockSupport.parkNanos(this, items.isEmpty() ? idleTickNanos : tickNanos);
            pass(ticker.nanos());
        }
    }

    /**
     * Looks at every item once now, on the calling thread: what the thread does at each tick, for a test
     * whose clock it moved by hand.
     *
     * @param now the time to check against, on the watch's ticker
     */
    public void pass(long now) {
        if (batch != null) {
            if (!items.isEmpty()) {
                try {
                    batch.check(items, now);
                } catch (RuntimeException e) {
                    LOG.error("{}: a check failed; the watch goes on", thread.getName(), e);
                }
            }
            return;
        }
        for (T item : items) {
            try {
                if (check.check(item, now)) {
                    items.remove(item);
                }
            } catch (RuntimeException e) {
                items.remove(item);
                LOG.error("{}: checking {} failed; it is no longer watched", thread.getName(), item, e);
            }
        }
    }

    /** Stops the thread and waits for it a little. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
