package dev.ferry.bench;

import dev.ferry.executor.api.ExecutorRegistry;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;

/** The HTTP comparison as an {@link Interleaved} load: plain HttpClient against registry tasks, same server. */
final class HttpLoad {
    private HttpLoad() {}

    /** @return {plain requests/s, registry requests/s} */
    static double[] run(int threads, long warmupMillis, long measureMillis) throws Exception {
        LoopbackServer server = new LoopbackServer(Math.max(8, threads));
        String url = server.url("/small");
        HttpClient plain = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).build();
        ExecutorRegistry registry =
                Audit.registry("http", new dev.ferry.executor.http.internal.HttpExecutor(java.util.Map.of()));
        Task task = Task.of("http", "{\"url\":\"" + url + "\"}");

        try {
            return Interleaved.run(
                    threads,
                    warmupMillis,
                    measureMillis,
                    (thread, call) -> {
                        HttpResponse<byte[]> r = plain.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        if (r.statusCode() != 200) {
                            throw new IllegalStateException("status " + r.statusCode());
                        }
                    },
                    (thread, call) -> {
                        Result r = registry.execute(task, null);
                        if (r.status() != Status.SUCCEEDED) {
                            throw new IllegalStateException("task failed: " + r);
                        }
                    });
        } finally {
            Audit.close(registry);
            server.close();
        }
    }

    static String describe(int threads, double[] r) {
        return String.format(
                Locale.ROOT, "%d thread(s): plain %.0f/s, registry %.0f/s (%.2fx)", threads, r[0], r[1], r[1] / r[0]);
    }
}
