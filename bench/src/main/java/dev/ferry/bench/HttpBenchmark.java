package dev.ferry.bench;

import dev.ferry.executor.api.ExecutorRegistry;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;
import dev.ferry.worker.internal.registry.Registries;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * GET of a small body from a loopback server (the JDK's, in the same JVM for both): through the
 * registry's http executor against a plain HttpClient.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(1)
public class HttpBenchmark {
    private LoopbackServer server;
    private HttpClient plain;
    private HttpRequest request;
    private ExecutorRegistry registry;
    private Task task;

    @Setup
    public void setUp() throws IOException {
        server = new LoopbackServer(8);
        String url = server.url("/small");
        plain = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        request = HttpRequest.newBuilder(URI.create(url)).build();
        registry = Registries.with("http", new dev.ferry.executor.http.internal.HttpExecutor(java.util.Map.of()));
        task = Task.of("http", "{\"url\":\"" + url + "\"}");
    }

    @TearDown
    public void tearDown() {
        Registries.close(registry);
        server.close();
    }

    @Benchmark
    public byte[] plain() throws Exception {
        HttpResponse<byte[]> r = plain.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("status " + r.statusCode());
        }
        return r.body();
    }

    @Benchmark
    public Result registry() {
        Result r = registry.execute(task, null);
        if (r.status() != Status.SUCCEEDED) {
            throw new IllegalStateException("task failed: " + r);
        }
        return r;
    }
}
