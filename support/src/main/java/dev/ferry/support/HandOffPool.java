package dev.ferry.support;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A pool that hands a job straight to an idle thread, for work that must start at once (a submitted task):
 * a thread that just finished a job looks for the next one for a few microseconds, spinning, before it parks,
 * so a job that follows closely starts without the wake-up of a parked thread (tens of microseconds on a busy
 * machine). Spinning burns a core that running tasks (and the threads serving their callers) may need, so it
 * happens only on a machine with cores to spare: not within 100 ms of more jobs running at once than half the
 * cores, and with running and spinning threads together at most half the cores (on two cores: one thread
 * spins, only while no job runs, and only while jobs come one at a time); and a thread spins only when its last
 * job came within the spin window (else it parks at once, until a job again comes that soon). Measured on two
 * cores under two and four concurrent command tasks over gRPC, spinning without the first rule cost the worker
 * a fifth to a third more CPU per task. Idle
 * threads go after the keep-alive; at most
 * {@code maxThreads} exist, past that {@link #execute} throws {@link RejectedExecutionException}. Made by
 * {@link Threads#handOff}.
 */
public final class HandOffPool implements Executor {
    /** How long a thread that just finished a job looks for the next one before it parks. */
    static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    /** How long after jobs crowded the cores no thread spins. */
    static final long CROWDED_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final String name;
    private final int maxThreads;
    private final long keepAliveNanos;
    /** Idle threads, the most recently idle first (the likeliest to be spinning still). */
    private final ConcurrentLinkedDeque<Worker> idle = new ConcurrentLinkedDeque<>();

    private final AtomicInteger threads = new AtomicInteger();
    private final AtomicInteger numbers = new AtomicInteger();
    /** Threads running a job now, and threads spinning now: together at most {@link #spareCores} while one spins. */
    private final AtomicInteger busy = new AtomicInteger();

    private final AtomicInteger spinning = new AtomicInteger();
    private final int spareCores = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    /** When more jobs than {@link #spareCores} last ran at once: no thread spins for {@link #CROWDED_NANOS} after. */
    private volatile long crowdedAt = System.nanoTime() - CROWDED_NANOS;

    private volatile boolean shutdown;

    HandOffPool(String name, int maxThreads, long keepAliveNanos) {
        this.name = name;
        this.maxThreads = maxThreads;
        this.keepAliveNanos = keepAliveNanos;
    }

    @Override
    public void execute(Runnable job) {
        if (shutdown) {
            throw new RejectedExecutionException(name + " is shut down");
        }
        Worker w = idle.pollFirst(); // taken off the list by this call alone: the job is its, nobody else's
        if (w != null) {
            w.hand(job);
            return;
        }
        for (; ; ) {
            int n = threads.get();
            if (n >= maxThreads) {
                throw new RejectedExecutionException(name + " runs " + maxThreads + " threads, its most");
            }
            if (threads.compareAndSet(n, n + 1)) {
                break;
            }
        }
        Threads.daemon(name + "-" + numbers.incrementAndGet(), new Worker(job)).start();
    }

    /** Lets no new job in; idle threads end now, busy ones after their job. */
    public void shutdown() {
        shutdown = true;
        for (Worker w; (w = idle.pollFirst()) != null; ) {
            w.hand(null);
        }
    }

    /** @return the threads alive now */
    public int threads() {
        return threads.get();
    }

    private final class Worker implements Runnable {
        private static final Runnable END = () -> {};
        private final Runnable first;
        private volatile Thread thread;
        /** The job handed over while idle (END: stop); null while it has none. */
        private volatile Runnable next;
        /** Whether the last job came within the spin window after this thread went idle: then spinning pays. */
        private boolean spin = true;

        Worker(Runnable first) {
            this.first = first;
        }

        /** Hands over a job (null: stop); called once per idle period, by whoever took it off the idle list. */
        void hand(Runnable job) {
            next = job == null ? END : job;
            LockSupport.unpark(thread);
        }

        @Override
        public void run() {
            thread = Thread.currentThread();
            try {
                for (Runnable job = first; job != null; job = awaitNext()) {
                    if (busy.incrementAndGet() > spareCores) {
                        crowdedAt = System.nanoTime();
                    }
                    try {
                        job.run();
                    } catch (RuntimeException e) {
                        thread.getUncaughtExceptionHandler().uncaughtException(thread, e);
                    } finally {
                        busy.decrementAndGet();
                    }
                }
            } finally {
                threads.decrementAndGet();
            }
        }

        /** @return the next job, or null when this thread should end (idle past the keep-alive, or shut down) */
        private Runnable awaitNext() {
            next = null;
            idle.addFirst(this);
            if (shutdown && idle.remove(this)) { // closed meanwhile: shutdown() may have looked before this was listed
                return null;
            }
            long start = System.nanoTime();
            Runnable job = null;
            if (spin && start - crowdedAt > CROWDED_NANOS) {
                if (spinning.incrementAndGet() + busy.get() <= spareCores) {
                    while ((job = next) == null
                            && System.nanoTime() - start < SPIN_NANOS
                            && busy.get() + spinning.get() <= spareCores) { // a job started elsewhere: its core
                        Thread.onSpinWait();
                    }
                }
                spinning.decrementAndGet();
            }
            long deadline = start + keepAliveNanos;
            while (job == null && (job = next) == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    if (idle.remove(this)) {
                        return null; // nobody can hand it a job any more
                    }
                    while ((job = next) == null) { // someone took it off the list: its job is on its way
                        Thread.onSpinWait();
                    }
                    break;
                }
                LockSupport.parkNanos(this, left);
            }
            spin = System.nanoTime() - start < SPIN_NANOS; // caught by a spin, or would have been
            return job == END ? null : job;
        }
    }
}
