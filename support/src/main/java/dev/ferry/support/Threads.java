package dev.ferry.support;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Daemon threads and pools named for the operator's thread dump. */
public final class Threads {
    private Threads() {
    }

    /**
     * @param name the thread's name
     * @param body what it runs
     * @return a daemon thread, not started
     */
    public static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * A pool that starts a daemon thread per task when none is idle ({@code name-1}, {@code name-2} …)
     * and lets idle ones go after {@code keepAliveSeconds}. Its bound is the caller's: use it where the
     * work handed to it is already bounded (tasks holding a permit, hooks of stopped tasks).
     *
     * @param name the threads' name prefix
     * @param keepAliveSeconds how long an idle thread stays
     * @return the pool
     */
    public static ThreadPoolExecutor daemonPool(String name, int keepAliveSeconds) {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, keepAliveSeconds, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> daemon(name + "-" + n.incrementAndGet(), r));
    }

    /**
     * A pool of at most {@code threads} daemon threads and a queue of at most {@code queued} waiting jobs;
     * past that, {@code execute} throws {@link RejectedExecutionException}: for work that arrives from
     * outside (connections), where the caller must say no rather than grow.
     *
     * @param name the threads' name prefix
     * @param threads the most threads
     * @param queued the most jobs waiting for a thread
     * @return the pool
     */
    public static ThreadPoolExecutor boundedPool(String name, int threads, int queued) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new java.util.concurrent.ArrayBlockingQueue<>(queued), r -> daemon(name + "-" + n.incrementAndGet(), r));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * @param pool a pool
     * @return an executor that runs on the pool, or on the calling thread once the pool is shut down
     */
    public static java.util.concurrent.Executor orCaller(java.util.concurrent.Executor pool) {
        return r -> {
            try {
                pool.execute(r);
            } catch (RejectedExecutionException closing) {
                r.run();
            }
        };
    }
}
