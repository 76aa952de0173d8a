package dev.ferry.bench;

import com.google.protobuf.ByteString;
import dev.ferry.worker.grpc.v1.ExecuteRequest;
import dev.ferry.worker.grpc.v1.ExecuteResponse;
import dev.ferry.worker.grpc.v1.Status;
import dev.ferry.worker.grpc.v1.WorkerGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Round trips to a real worker process over gRPC: {@code Execute} of the example {@code hello}
 * executor (a no-op task: it formats one string) against the plainest unary call the same server
 * answers, {@code grpc.health.v1.Health/Check}, alternating in blocks on every client thread.
 * The difference is what Ferry adds to a gRPC call: decoding the task, the registry, a worker
 * thread, the result.
 */
final class GrpcLoad implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("ferry worker ready grpc=(\\S+):(\\d+) .*");
    private static final int BLOCK = 50;

    private final Process worker;
    private final Path home;
    final ManagedChannel channel;

    private GrpcLoad(Process worker, Path home, ManagedChannel channel) {
        this.worker = worker;
        this.home = home;
        this.channel = channel;
    }

    /** Starts ferry-worker.jar with the hello executor in deploy/ and connects. */
    static GrpcLoad start() throws Exception {
        return start(null);
    }

    /** The worker's process, for its CPU times. */
    ProcessHandle process() {
        return worker.toHandle();
    }

    /**
     * Starts ferry-worker.jar with the hello executor in deploy/ and connects.
     *
     * @param commandCfg the text of etc/dev.ferry.executor.command.cfg, or null for none
     */
    static GrpcLoad start(String commandCfg) throws Exception {
        Path jar = Path.of(System.getProperty("ferry.worker.jar", "runtime/launcher/target/ferry-worker.jar"));
        Path hello = Path.of(
                System.getProperty("ferry.hello.jar", "examples/hello-executor/target/com.example.hello-1.0.0.jar"));
        for (Path p : List.of(jar, hello)) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalStateException(
                        p + " is missing: run the benchmark from the project folder after 'mvn -q"
                                + " install -DskipTests'");
            }
        }
        Path home = Files.createTempDirectory("ferry-bench-grpc");
        Files.createDirectories(home.resolve("deploy"));
        if (commandCfg != null) {
            Files.createDirectories(home.resolve("etc"));
            Files.writeString(home.resolve("etc/dev.ferry.executor.command.cfg"), commandCfg);
        }
        Files.copy(hello, home.resolve("deploy/hello.jar"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        // -Dferry.bench.worker.jvm="-XX:TieredStopAtLevel=1 …" tries JVM options on the worker
        String jvm = System.getProperty("ferry.bench.worker.jvm", "").trim();
        if (!jvm.isEmpty()) {
            command.addAll(Arrays.asList(jvm.split("\\s+")));
        }
        command.addAll(List.of("-jar", jar.toString(), "--home", home.toString(), "--no-shell", "--grpc-port", "0"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        int port = -1;
        for (String line; (line = out.readLine()) != null; ) {
            Matcher m = READY.matcher(line);
            if (m.matches()) {
                port = Integer.parseInt(m.group(2));
                break;
            }
        }
        if (port < 0) {
            throw new IllegalStateException("the worker did not start; exit " + p.waitFor());
        }
        drain(out);
        ManagedChannel channel = Grpc.newChannelBuilderForAddress(
                        "127.0.0.1", port, InsecureChannelCredentials.create())
                .build();
        GrpcLoad load = new GrpcLoad(p, home, channel);
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
        try {
            // a StatusRuntimeException (not installed yet) counts as not yet
            dev.ferry.testing.Await.until(
                    "the hello executor to come up from deploy/",
                    java.time.Duration.ofSeconds(30),
                    () -> health.check(HealthCheckRequest.newBuilder()
                                            .setService("executor.hello")
                                            .build())
                                    .getStatus()
                            == ServingStatus.SERVING);
            return load;
        } catch (AssertionError e) {
            load.close();
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Reads a started process's remaining output on a daemon thread, so it never blocks on a full pipe. */
    static void drain(BufferedReader out) {
        Thread drain = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // the process's log
                }
            } catch (IOException e) {
                // the process is gone
            }
        });
        drain.setDaemon(true);
        drain.start();
    }

    /**
     * @return per path ([0] health check, [1] Execute): {calls/s, p50 µs, p99 µs}
     */
    double[][] run(int threads, long warmupMillis, long measureMillis) throws Exception {
        WorkerGrpc.WorkerBlockingStub worker = WorkerGrpc.newBlockingStub(channel);
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
        HealthCheckRequest check = HealthCheckRequest.getDefaultInstance();
        ExecuteRequest hello = ExecuteRequest.newBuilder()
                .setTaskType("hello")
                .setPayload(ByteString.copyFromUtf8("{\"name\":\"bench\"}"))
                .build();
        long measureFrom = System.nanoTime() + warmupMillis * 1_000_000L;
        long end = measureFrom + measureMillis * 1_000_000L;
        ExecutorService clients = Executors.newFixedThreadPool(threads);
        List<Future<long[][]>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            results.add(clients.submit(() -> {
                Samples[] samples = {new Samples(), new Samples()};
                for (long block = thread; System.nanoTime() < end; block++) {
                    int side = (int) (block % 2);
                    for (int i = 0; i < BLOCK; i++) {
                        long t0 = System.nanoTime();
                        if (side == 0) {
                            health.check(check);
                        } else {
                            ExecuteResponse r = worker.execute(hello);
                            if (r.getStatus() != Status.SUCCEEDED) {
                                throw new IllegalStateException("hello failed: " + r);
                            }
                        }
                        long t1 = System.nanoTime();
                        if (t0 >= measureFrom && t1 <= end) {
                            samples[side].add(t1 - t0);
                        }
                    }
                }
                return new long[][] {samples[0].values(), samples[1].values()};
            }));
        }
        List<long[][]> all = new ArrayList<>();
        for (Future<long[][]> f : results) {
            all.add(f.get());
        }
        clients.shutdown();
        double[][] out = new double[2][];
        for (int side = 0; side < 2; side++) {
            int s = side;
            long[] merged = all.stream()
                    .flatMapToLong(a -> Arrays.stream(a[s]))
                    .sorted()
                    .toArray();
            if (merged.length == 0) {
                out[side] = new double[] {0, 0, 0};
                continue;
            }
            double totalNanos = Arrays.stream(merged).sum();
            // time summed over threads: calls/s of the whole load = count / (nanos / threads)
            out[side] = new double[] {
                merged.length / (totalNanos / 1e9 / threads),
                merged[merged.length / 2] / 1e3,
                merged[(int) (merged.length * 0.99)] / 1e3
            };
        }
        return out;
    }

    static String describe(int threads, double[][] r) {
        return String.format(
                Locale.ROOT,
                "%d client thread(s): Execute(hello) %.0f calls/s p50 %.0f µs p99 %.0f µs;"
                        + " Health/Check %.0f calls/s p50 %.0f µs p99 %.0f µs; Execute/Check throughput %.2fx",
                threads,
                r[1][0],
                r[1][1],
                r[1][2],
                r[0][0],
                r[0][1],
                r[0][2],
                r[1][0] / r[0][0]);
    }

    @Override
    public void close() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        worker.destroy();
        worker.waitFor(30, TimeUnit.SECONDS);
        try (Stream<Path> files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Latencies of one thread, in nanoseconds. */
    static final class Samples {
        private long[] v = new long[1 << 14];
        private int n;

        void add(long nanos) {
            if (n == v.length) {
                v = Arrays.copyOf(v, n * 2);
            }
            v[n++] = nanos;
        }

        long[] values() {
            return Arrays.copyOf(v, n);
        }
    }
}
