package dev.ferry.bench;

import dev.ferry.executor.api.Executor;
import dev.ferry.executor.api.ExecutorRegistry;
import dev.ferry.executor.api.Prepared;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Task;
import dev.ferry.worker.internal.registry.Registries;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * How long a submitted task waits before its executor starts: from {@code submit} to the executor's first line,
 * on the task's thread, one caller submitting the next task once the last one answered. Beside it, the same
 * hand-off to a plain cached thread pool ({@code Executors.newCachedThreadPool}), the JDK's own.
 */
final class Handoff {
    private Handoff() {}

    /** An executor that notes when it starts. */
    static final class Stamp implements Executor {
        volatile long started;
        private final Prepared run = context -> {
            started = System.nanoTime();
            return DispatchBenchmark.DONE;
        };

        @Override
        public Prepared prepare(Task task) {
            return run;
        }
    }

    /** @return p50 and p99 of the hand-off through the registry, in nanoseconds */
    static long[] registry(int warmup, int n) {
        Stamp stamp = new Stamp();
        ExecutorRegistry registry = Registries.with("stamp", stamp);
        try {
            Task task = Task.of("stamp", "{}");
            for (int i = 0; i < warmup; i++) {
                registry.submit(task, null).result().toCompletableFuture().join();
            }
            long[] waits = new long[n];
            for (int i = 0; i < n; i++) {
                long before = System.nanoTime();
                Result r = registry.submit(task, null)
                        .result()
                        .toCompletableFuture()
                        .join();
                waits[i] = stamp.started - before;
                if (r.exitCode() != 0) {
                    throw new IllegalStateException(r.error());
                }
            }
            return percentiles(waits);
        } finally {
            Registries.close(registry);
        }
    }

    /** @return p50 and p99 of the hand-off to a plain cached thread pool, in nanoseconds */
    static long[] plain(int warmup, int n) throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            long[] started = new long[1];
            Runnable job = () -> started[0] = System.nanoTime();
            for (int i = 0; i < warmup; i++) {
                pool.submit(job).get();
            }
            long[] waits = new long[n];
            for (int i = 0; i < n; i++) {
                long before = System.nanoTime();
                pool.submit(job).get(); // get() orders the job's write before this read
                waits[i] = started[0] - before;
            }
            return percentiles(waits);
        } finally {
            pool.shutdownNow();
        }
    }

    private static long[] percentiles(long[] waits) {
        Arrays.sort(waits);
        return new long[] {waits[waits.length / 2], waits[(int) (waits.length * 0.99)]};
    }
}
