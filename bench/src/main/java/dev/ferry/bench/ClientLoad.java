package dev.ferry.bench;

import com.google.protobuf.ByteString;
import dev.ferry.client.FerryClient;
import dev.ferry.client.TaskRequest;
import dev.ferry.client.TaskResult;
import dev.ferry.worker.grpc.v1.ExecuteRequest;
import dev.ferry.worker.grpc.v1.ExecuteResponse;
import dev.ferry.worker.grpc.v1.Status;
import dev.ferry.worker.grpc.v1.WorkerGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ferry-bench client}: what {@link FerryClient} costs over a bare grpc-java stub, on one real worker (the
 * no-op {@code hello} task, alternating in blocks on every client thread, the same channel settings otherwise); the
 * {@code ferry} command line's wall time for one {@code true} task; and {@code true} command tasks through one client
 * against one worker and against three on this machine.
 */
final class ClientLoad {
    private static final int BLOCK = 50;
    /**
     * -Dferry.bench.client.stub-ids=true: the bare stub sends task ids too, as FerryClient does, so the worker keeps
     * the same books (its task-id window) on both sides and the ratio is the client's own cost.
     */
    private static final boolean STUB_IDS = Boolean.getBoolean("ferry.bench.client.stub-ids");

    private ClientLoad() {}

    static void run(int runs) throws Exception {
        try (GrpcLoad load = GrpcLoad.start();
                FerryClient client =
                        FerryClient.builder().target(load.channel.authority()).build()) {
            for (int threads : Boolean.getBoolean("ferry.bench.client.one-thread") ? new int[] {1} : new int[] {1, 8}) {
                alternate(load, client, threads, 10_000); // warm-up (the JIT of both processes), not reported
                List<Double> ratios = new ArrayList<>();
                for (int r = 0; r < runs; r++) {
                    double[] rates = alternate(load, client, threads, 8000);
                    ratios.add(rates[1] / rates[0]);
                    System.out.printf(
                            Locale.ROOT,
                            "client run %d, %d thread(s): bare stub %.0f tasks/s, FerryClient %.0f tasks/s, %.3fx%n",
                            r + 1,
                            threads,
                            rates[0],
                            rates[1],
                            rates[1] / rates[0]);
                }
                System.out.printf(
                        Locale.ROOT,
                        "client, %d thread(s): FerryClient/bare stub median %.3fx of %d runs%n",
                        threads,
                        DeadlineLoad.median(ratios),
                        runs);
            }
            if (Boolean.getBoolean("ferry.bench.client.one-thread")) {
                return;
            }
            cliWallTime(load.channel.authority(), Math.max(runs, 5));
        }
        threeAgainstOne(runs);
    }

    /** @return tasks/s of {bare stub, FerryClient}, each counted in its own blocks' time */
    private static double[] alternate(GrpcLoad load, FerryClient client, int threads, long millis) throws Exception {
        WorkerGrpc.WorkerBlockingStub stub = WorkerGrpc.newBlockingStub(load.channel);
        byte[] payload = "{\"name\":\"bench\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ExecuteRequest hello = ExecuteRequest.newBuilder()
                .setTaskType("hello")
                .setPayload(ByteString.copyFrom(payload))
                .build();
        AtomicLong[] count = {new AtomicLong(), new AtomicLong()};
        AtomicLong[] nanos = {new AtomicLong(), new AtomicLong()};
        long end = System.nanoTime() + millis * 1_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                for (long block = thread; System.nanoTime() < end; block++) {
                    int side = (int) (block % 2);
                    long t0 = System.nanoTime();
                    for (int i = 0; i < BLOCK; i++) {
                        if (side == 0) {
                            ExecuteResponse r = stub.execute(
                                    STUB_IDS
                                            ? hello.toBuilder()
                                                    .setTaskId(TaskRequest.of("hello", payload)
                                                            .id())
                                                    .build()
                                            : hello);
                            if (r.getStatus() != Status.SUCCEEDED) {
                                throw new IllegalStateException("hello failed: " + r);
                            }
                        } else {
                            TaskResult r = client.execute(TaskRequest.of("hello", payload));
                            if (!r.succeeded()) {
                                throw new IllegalStateException("hello failed: " + r);
                            }
                        }
                    }
                    nanos[side].addAndGet(System.nanoTime() - t0);
                    count[side].addAndGet(BLOCK);
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        double[] out = new double[2];
        for (int side = 0; side < 2; side++) {
            out[side] = count[side].get() / (nanos[side].get() / 1e9 / threads);
        }
        return out;
    }

    /**
     * The ferry command line, as a user runs it: a new JVM for one `true` task; beside it the same with C1 only
     * ({@code -XX:TieredStopAtLevel=1}), alternated.
     */
    private static void cliWallTime(String target, int runs) throws Exception {
        Path jar = Path.of(System.getProperty("ferry.cli.jar", "cli/target/ferry-cli.jar"));
        if (!Files.isRegularFile(jar)) {
            System.out.println("cli: " + jar + " is missing (build the project first); not measured");
            return;
        }
        List<List<Double>> millis = List.of(new ArrayList<>(), new ArrayList<>());
        List<List<String>> jvm = List.of(List.of(), List.of("-XX:TieredStopAtLevel=1"));
        for (int r = 0; r < runs + 1; r++) {
            for (int v = 0; v < 2; v++) {
                List<String> cmd = new ArrayList<>(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
                cmd.addAll(jvm.get(v));
                cmd.addAll(List.of(
                        "-jar", jar.toString(), "run", "--target", target, "command", "{\"command\":\"true\"}"));
                long t0 = System.nanoTime();
                Process p = new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
                int exit = p.waitFor();
                double ms = (System.nanoTime() - t0) / 1e6;
                if (exit != 0) {
                    throw new IllegalStateException("ferry run exited " + exit);
                }
                if (r > 0) { // the first of each warms the file cache
                    millis.get(v).add(ms);
                }
            }
        }
        for (int v = 0; v < 2; v++) {
            double[] sorted = millis.get(v).stream()
                    .mapToDouble(Double::doubleValue)
                    .sorted()
                    .toArray();
            System.out.printf(
                    Locale.ROOT,
                    "cli%s: 'ferry run command {\"command\":\"true\"}' wall time median %.0f ms (min %.0f, max %.0f)"
                            + " of %d%n",
                    v == 0 ? "" : " (java " + jvm.get(v).get(0) + ")",
                    DeadlineLoad.median(millis.get(v)),
                    sorted[0],
                    sorted[sorted.length - 1],
                    sorted.length);
        }
    }

    /** `true` command tasks from 8 threads through one client: one worker, then three (same machine, same run). */
    private static void threeAgainstOne(int runs) throws Exception {
        List<GrpcLoad> workers = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                workers.add(GrpcLoad.start());
            }
            Path file = Files.createTempFile("ferry-bench-workers", ".txt");
            Files.write(file, workers.stream().map(w -> w.channel.authority()).toList());
            List<Double> ratios = new ArrayList<>();
            try (FerryClient one = FerryClient.builder()
                            .target(workers.get(0).channel.authority())
                            .build();
                    FerryClient three =
                            FerryClient.builder().target("file://" + file).build()) {
                commandTasks(one, 8, 3000);
                commandTasks(three, 8, 3000);
                for (int r = 0; r < runs; r++) {
                    double a = commandTasks(one, 8, 8000);
                    double b = commandTasks(three, 8, 8000);
                    ratios.add(b / a);
                    System.out.printf(
                            Locale.ROOT,
                            "fleet run %d: 1 worker %.0f tasks/s, 3 workers %.0f tasks/s, %.2fx%n",
                            r + 1,
                            a,
                            b,
                            b / a);
                }
            } finally {
                Files.deleteIfExists(file);
            }
            System.out.printf(
                    Locale.ROOT,
                    "fleet: 3 workers / 1 worker on this machine (%d cores) median %.2fx of %d runs%n",
                    Runtime.getRuntime().availableProcessors(),
                    DeadlineLoad.median(ratios),
                    runs);
        } finally {
            for (GrpcLoad w : workers) {
                w.close();
            }
        }
    }

    private static double commandTasks(FerryClient client, int threads, long millis) throws Exception {
        AtomicLong count = new AtomicLong();
        long start = System.nanoTime();
        long end = start + millis * 1_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                while (System.nanoTime() < end) {
                    TaskResult r = client.execute(TaskRequest.of("command", "{\"command\":\"true\"}"));
                    if (!r.succeeded()) {
                        throw new IllegalStateException("true failed: " + r);
                    }
                    count.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        return count.get() / ((System.nanoTime() - start) / 1e9);
    }
}
