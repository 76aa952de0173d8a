package dev.ferry.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Runs a plain operation and its registry counterpart from the same client threads, alternating
 * blocks of each, so both meet the same machine at the same moments: on a shared, noisy machine
 * this compares far better than two benchmarks run one after the other.
 */
final class Interleaved {
    private static final int BLOCK = 50;

    /** One call of either side; {@code call} counts up per thread, for picking keys. */
    interface Op {
        void run(int thread, long call) throws Exception;
    }

    private Interleaved() {}

    /** @return {plain operations/s, registry operations/s} of the whole load */
    static double[] run(int threads, long warmupMillis, long measureMillis, Op plain, Op registry) throws Exception {
        return run(threads, warmupMillis, measureMillis, new Op[] {plain, registry});
    }

    /**
     * Any number of paths, taking turns block by block on every thread (thread t starts with path
     * t mod n, so each moment sees every path).
     *
     * @return operations/s of each path over the whole load
     */
    static double[] run(int threads, long warmupMillis, long measureMillis, Op[] ops) throws Exception {
        int n = ops.length;
        // per path: [2i] nanos, [2i+1] count
        AtomicLongArray totals = new AtomicLongArray(2 * n);
        long measureFrom = System.nanoTime() + warmupMillis * 1_000_000L;
        long end = measureFrom + measureMillis * 1_000_000L;
        ExecutorService clients = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                running.add(clients.submit(() -> {
                    long call = 0;
                    for (long block = thread; System.nanoTime() < end; block++) {
                        int path = (int) (block % n);
                        Op op = ops[path];
                        long t0 = System.nanoTime();
                        for (int i = 0; i < BLOCK; i++) {
                            op.run(thread, call++);
                        }
                        long t1 = System.nanoTime();
                        if (t0 >= measureFrom && t1 <= end) {
                            totals.addAndGet(2 * path, t1 - t0);
                            totals.addAndGet(2 * path + 1, BLOCK);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            clients.shutdown();
        }
        // time was summed over threads: operations/s of the whole load = count / (nanos / threads)
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = totals.get(2 * i + 1) / (totals.get(2 * i) / 1e9 / threads);
        }
        return out;
    }
}
