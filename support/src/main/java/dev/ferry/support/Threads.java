package dev.ferry.support;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one maker of Ferry's threads: every thread a Ferry bundle starts comes from here, a daemon named
 * for the operator's thread dump ({@code ferry-<role>} or {@code ferry-<role>-N}), and every pool has
 * a bound on its threads. Nothing else in Ferry's bundles calls {@code new Thread} or
 * {@code Executors.new…} (the launcher's JVM shutdown hook and the benchmarks' client threads are not the
 * worker's).
 */
public final class Threads {
    private Threads() {}

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
     * @param prefix the threads' name prefix
     * @return a factory of daemon threads named {@code prefix-1}, {@code prefix-2} …, for a library that takes one
     */
    public static ThreadFactory factory(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> daemon(prefix + "-" + n.incrementAndGet(), r);
    }

    /**
     * A pool that starts a thread per job when none is idle, up to {@code maxThreads}, and lets idle ones go
     * after {@code keepAliveSeconds}; past the bound, {@code execute} throws {@link RejectedExecutionException}.
     * For work whose amount is already bounded by its caller (tasks holding a permit, hooks of stopped tasks,
     * a process's two streams): the bound is the last guard, not the everyday limit.
     *
     * @param name the threads' name prefix
     * @param maxThreads the most threads
     * @param keepAliveSeconds how long an idle thread stays
     * @return the pool
     */
    public static ThreadPoolExecutor elastic(String name, int maxThreads, int keepAliveSeconds) {
        return new ThreadPoolExecutor(
                0, maxThreads, keepAliveSeconds, TimeUnit.SECONDS, new SynchronousQueue<>(), factory(name));
    }

    /**
     * A pool that hands each job straight to an idle thread, which looks for the next job a few microseconds
     * before it parks: for work that must start at once and is already bounded by its caller (tasks holding a
     * permit). See {@link HandOffPool}.
     *
     * @param name the threads' name prefix
     * @param maxThreads the most threads; past it, {@code execute} throws {@link RejectedExecutionException}
     * @param keepAliveSeconds how long an idle thread stays
     * @return the pool
     */
    public static HandOffPool handOff(String name, int maxThreads, int keepAliveSeconds) {
        return new HandOffPool(name, maxThreads, TimeUnit.SECONDS.toNanos(keepAliveSeconds));
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
        ThreadPoolExecutor pool = new ThreadPoolExecutor(
                threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queued), factory(name));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * @param name the thread's name
     * @return one daemon thread that runs delayed and periodic jobs
     */
    public static ScheduledThreadPoolExecutor scheduled(String name) {
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1, r -> daemon(name, r));
        pool.setRemoveOnCancelPolicy(true);
        return pool;
    }

    /**
     * @param pool a pool
     * @return an executor that runs on the pool, or on the calling thread once the pool is shut down or full
     */
    public static Executor orCaller(Executor pool) {
        return r -> {
            try {
                pool.execute(r);
            } catch (RejectedExecutionException closing) {
                r.run();
            }
        };
    }
}
