package dev.ferry.bench;

import dev.ferry.executor.api.Executor;
import dev.ferry.executor.api.ExecutorRegistry;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;
import dev.ferry.executor.container.internal.Containers;
import dev.ferry.worker.internal.registry.Registries;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Container tasks running /bin/true through the registry, against the same create / start / wait /
 * logs / remove sequence done directly with the same client in a loop. A container task takes a
 * large part of a second, so the two paths alternate call by call on every client thread (not in
 * blocks, as {@link Interleaved} does), and both meet the engine in the same state.
 */
final class ContainerLoad {
    private ContainerLoad() {}

    /** @return {plain tasks/s, registry tasks/s, plain p50 ms, registry p50 ms} */
    static double[] run(String host, String image, int threads, long warmupMillis, long measureMillis)
            throws Exception {
        Executor executor = Containers.executor(host, image);
        ExecutorRegistry registry = Registries.with("container", executor);
        String payload = "{\"image\":\"" + image + "\",\"command\":[\"/bin/true\"]}";
        long from = System.nanoTime() + warmupMillis * 1_000_000L;
        long end = from + measureMillis * 1_000_000L;
        List<Long> plain = Collections.synchronizedList(new ArrayList<>());
        List<Long> viaRegistry = Collections.synchronizedList(new ArrayList<>());
        ExecutorService clients = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                running.add(clients.submit(() -> {
                    for (long call = thread; System.nanoTime() < end; call++) {
                        long t0 = System.nanoTime();
                        if (call % 2 == 0) {
                            if (Containers.plain(host, image, "/bin/true") != 0) {
                                throw new IllegalStateException("the plain container did not exit 0");
                            }
                        } else {
                            Result r = registry.execute(Task.of("container", payload), null);
                            if (r.status() != Status.SUCCEEDED) {
                                throw new IllegalStateException("task failed: " + r);
                            }
                        }
                        long t1 = System.nanoTime();
                        if (t0 >= from && t1 <= end) {
                            (call % 2 == 0 ? plain : viaRegistry).add(t1 - t0);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            clients.shutdownNow();
            Registries.close(registry);
        }
        return new double[] {rate(plain, threads), rate(viaRegistry, threads), p50(plain), p50(viaRegistry)};
    }

    /** Tasks/s of one path: its calls over the time the threads spent in it. */
    private static double rate(List<Long> nanos, int threads) {
        long total = 0;
        synchronized (nanos) {
            for (long n : nanos) {
                total += n;
            }
            return nanos.isEmpty() ? 0 : nanos.size() / (total / 1e9) * threads;
        }
    }

    private static double p50(List<Long> nanos) {
        synchronized (nanos) {
            List<Long> sorted = new ArrayList<>(nanos);
            Collections.sort(sorted);
            return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2) / 1e6;
        }
    }

    static String describe(int threads, double[] r) {
        return String.format(
                Locale.ROOT,
                "%d thread(s): plain %.2f/s (p50 %.1f ms), registry %.2f/s (p50 %.1f ms):"
                        + " %.2fx, %.1f ms more per task",
                threads,
                r[0],
                r[2],
                r[1],
                r[3],
                r[1] / r[0],
                r[3] - r[2]);
    }
}
