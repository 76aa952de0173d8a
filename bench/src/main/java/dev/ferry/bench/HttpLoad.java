package dev.ferry.bench;

import dev.ferry.executor.api.ExecutorRegistry;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;
import dev.ferry.executor.http.internal.Https;
import dev.ferry.worker.internal.registry.Registries;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A load driver for the HTTP comparison: each client thread alternates blocks of plain
 * HttpClient requests and registry tasks against the same loopback server, so both see the same
 * machine at the same moments. On a shared, noisy machine this compares far better than two
 * benchmarks run one after the other.
 */
final class HttpLoad {
    private static final int BLOCK = 50;

    private HttpLoad() {
    }

    /** @return {plain requests/s, registry requests/s} */
    static double[] run(int threads, long warmupMillis, long measureMillis) throws Exception {
        LoopbackServer server = new LoopbackServer(Math.max(8, threads));
        String url = server.url("/small");
        HttpClient plain = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).build();
        ExecutorRegistry registry = Registries.with("http", Https.withDefaults());
        Task task = Task.of("http", "{\"url\":\"" + url + "\"}");

        // [0] plain nanos, [1] plain count, [2] registry nanos, [3] registry count
        AtomicLongArray totals = new AtomicLongArray(4);
        long start = System.nanoTime();
        long measureFrom = start + warmupMillis * 1_000_000L;
        long end = measureFrom + measureMillis * 1_000_000L;
        ExecutorService clients = Executors.newFixedThreadPool(threads);
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int offset = t;
            running.add(clients.submit(() -> {
                for (long block = offset; System.nanoTime() < end; block++) {
                    boolean viaRegistry = block % 2 == 1;
                    long t0 = System.nanoTime();
                    for (int i = 0; i < BLOCK; i++) {
                        if (viaRegistry) {
                            Result r = registry.execute(task, null);
                            if (r.status() != Status.SUCCEEDED) {
                                throw new IllegalStateException("task failed: " + r);
                            }
                        } else {
                            HttpResponse<byte[]> r = plain.send(request, HttpResponse.BodyHandlers.ofByteArray());
                            if (r.statusCode() != 200) {
                                throw new IllegalStateException("status " + r.statusCode());
                            }
                        }
                    }
                    long t1 = System.nanoTime();
                    if (t0 >= measureFrom && t1 <= end) {
                        int slot = viaRegistry ? 2 : 0;
                        totals.addAndGet(slot, t1 - t0);
                        totals.addAndGet(slot + 1, BLOCK);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
        clients.shutdown();
        Registries.close(registry);
        server.close();
        // per-thread time spent in each mode: requests/s of the whole load = count / (nanos / threads)
        double plainRps = totals.get(1) / (totals.get(0) / 1e9 / threads);
        double registryRps = totals.get(3) / (totals.get(2) / 1e9 / threads);
        return new double[] {plainRps, registryRps};
    }

    static String describe(int threads, double[] r) {
        return String.format(Locale.ROOT, "%d thread(s): plain %.0f/s, registry %.0f/s (%.2fx)", threads, r[0], r[1],
                r[1] / r[0]);
    }
}
