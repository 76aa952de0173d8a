package dev.ferry.bench;

import com.google.protobuf.ByteString;
import dev.ferry.worker.grpc.v1.ExecuteRequest;
import dev.ferry.worker.grpc.v1.ExecuteResponse;
import dev.ferry.worker.grpc.v1.Status;
import dev.ferry.worker.grpc.v1.WorkerGrpc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * {@code true} as a command task through a real worker process over gRPC, from this process (the
 * client), against a plain VFORK {@code ProcessBuilder} loop in a JVM of its own ({@link PlainLoop}),
 * with CPU per task read from {@code /proc}: the worker's own, its children's, the client's, and the
 * worker's busiest threads.
 */
final class CommandGrpcLoad {
    static final long TICK_NANOS = 1_000_000_000L / 100; // USER_HZ: /proc times are in 1/100 s here
    private static final ExecuteRequest TRUE = ExecuteRequest.newBuilder()
            .setTaskType("command")
            .setPayload(ByteString.copyFromUtf8("{\"command\":\"true\"}"))
            .build();

    private CommandGrpcLoad() {}

    /** Cold start, then warm rounds at 1, 2 and 4 client threads beside the plain loop. */
    static void run(int runs) throws Exception {
        String isolation = System.getProperty("ferry.bench.isolation");
        String cfg = isolation == null ? null : "isolation = " + isolation + "\n";
        System.out.println("command-grpc: worker with " + (cfg == null ? "the default configuration" : cfg.trim()));
        // The client JVM warms up first, against a worker of its own, so the cold start measured next is
        // the worker's alone.
        try (GrpcLoad throwaway = GrpcLoad.start(cfg)) {
            WorkerGrpc.WorkerBlockingStub stub = WorkerGrpc.newBlockingStub(throwaway.channel);
            for (int i = 0; i < 3000; i++) {
                check(stub.execute(TRUE));
            }
        }
        try (GrpcLoad worker = GrpcLoad.start(cfg)) {
            cold(worker);
            for (int threads : new int[] {1, 2, 4}) {
                List<double[]> rounds = new ArrayList<>();
                for (int r = 0; r < runs; r++) {
                    double[] p = PlainLoop.inOwnJvm(threads, 8000);
                    double plain = p[0];
                    double[] w = warm(worker, threads, 8000, threads == 2 && r == runs - 1);
                    rounds.add(new double[] {w[0], plain, w[1], w[2], w[3], w[4], w[5], w[0] / plain, p[1], p[2]});
                    System.out.printf(
                            Locale.ROOT,
                            "command-grpc run %d, %d thread(s): worker %.0f tasks/s (p50 %.2f ms, p99"
                                    + " %.2f ms), plain VFORK loop %.0f/s (%.2fx); CPU per task: worker %.2f ms, its children %.2f ms,"
                                    + " client %.2f ms; plain loop %.2f ms, its children %.2f ms%n",
                            r + 1,
                            threads,
                            w[0],
                            w[4],
                            w[5],
                            plain,
                            w[0] / plain,
                            w[1],
                            w[2],
                            w[3],
                            p[1],
                            p[2]);
                }
                System.out.printf(
                        Locale.ROOT,
                        "COMMAND over gRPC %d thread(s) (median of %d): worker %.0f tasks/s, plain loop"
                                + " %.0f/s, %.2fx; worker CPU %.2f ms/task, children %.2f ms/task, client %.2f ms/task, p50 %.2f ms,"
                                + " p99 %.2f ms; plain loop CPU %.2f ms/task, its children %.2f ms/task%n",
                        threads,
                        runs,
                        median(rounds, 0),
                        median(rounds, 1),
                        median(rounds, 7),
                        median(rounds, 2),
                        median(rounds, 3),
                        median(rounds, 4),
                        median(rounds, 5),
                        median(rounds, 6),
                        median(rounds, 8),
                        median(rounds, 9));
            }
        }
    }

    /** The first 5,000 tasks after start, at 2 client threads, in blocks of 500. */
    private static void cold(GrpcLoad worker) throws Exception {
        WorkerGrpc.WorkerBlockingStub stub = WorkerGrpc.newBlockingStub(worker.channel);
        AtomicLong done = new AtomicLong();
        long[] blockEnds = new long[10];
        long pid = worker.process().pid();
        Map<String, Long> t0 = threadTimes(pid);
        List<Map<String, Long>> afterFirst = new ArrayList<>();
        long start = System.nanoTime();
        ExecutorService clients = Executors.newFixedThreadPool(2);
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            fs.add(clients.submit(() -> {
                while (true) {
                    long n = done.get();
                    if (n >= 5000) {
                        return null;
                    }
                    check(stub.execute(TRUE));
                    long finished = done.incrementAndGet();
                    if (finished % 500 == 0 && finished <= 5000) {
                        blockEnds[(int) (finished / 500) - 1] = System.nanoTime();
                        if (finished == 500) {
                            afterFirst.add(threadTimes(pid));
                        }
                    }
                }
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        clients.shutdown();
        StringBuilder sb = new StringBuilder("command-grpc cold start, 2 threads, tasks/s per block of 500:");
        long prev = start;
        for (long end : blockEnds) {
            sb.append(String.format(Locale.ROOT, " %.0f", 500 / ((end - prev) / 1e9)));
            prev = end;
        }
        System.out.println(sb);
        System.out.println(threadLine(
                "command-grpc: the worker's threads by CPU per task (ms), first 500 tasks:",
                t0,
                afterFirst.get(0),
                500));
    }

    /** The ten busiest threads between two readings, in CPU ms per task. */
    private static String threadLine(String title, Map<String, Long> t0, Map<String, Long> t1, double tasks) {
        StringBuilder sb = new StringBuilder(title);
        t1.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - t0.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(10)
                .forEach(e -> sb.append(
                        String.format(Locale.ROOT, " %s %.3f;", e.getKey(), e.getValue() * TICK_NANOS / 1e6 / tasks)));
        return sb.toString();
    }

    /** @return {tasks/s, worker CPU ms/task, children CPU ms/task, client CPU ms/task, p50 ms, p99 ms} */
    private static double[] warm(GrpcLoad worker, int threads, long millis, boolean showThreads) throws Exception {
        WorkerGrpc.WorkerBlockingStub stub = WorkerGrpc.newBlockingStub(worker.channel);
        long pid = worker.process().pid();
        for (int i = 0; i < 200; i++) {
            check(stub.execute(TRUE)); // the rate settles before the measurement
        }
        long[] w0 = times(pid);
        long[] c0 = times(ProcessHandle.current().pid());
        Map<String, Long> t0 = threadTimes(pid);
        long end = System.nanoTime() + millis * 1_000_000L;
        long start = System.nanoTime();
        ExecutorService clients = Executors.newFixedThreadPool(threads);
        List<Future<long[]>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            fs.add(clients.submit(() -> {
                GrpcLoad.Samples lat = new GrpcLoad.Samples();
                while (System.nanoTime() < end) {
                    long a = System.nanoTime();
                    check(stub.execute(TRUE));
                    lat.add(System.nanoTime() - a);
                }
                return lat.values();
            }));
        }
        List<long[]> all = new ArrayList<>();
        for (Future<long[]> f : fs) {
            all.add(f.get());
        }
        long elapsed = System.nanoTime() - start;
        clients.shutdown();
        long[] w1 = times(pid);
        long[] c1 = times(ProcessHandle.current().pid());
        long[] lat = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        double tasks = lat.length;
        if (showThreads) {
            System.out.println(threadLine(
                    "command-grpc: the worker's threads by CPU per task (ms), 2 client threads:",
                    t0,
                    threadTimes(pid),
                    tasks));
        }
        return new double[] {
            tasks / (elapsed / 1e9),
            (w1[0] - w0[0]) * TICK_NANOS / 1e6 / tasks,
            (w1[1] - w0[1]) * TICK_NANOS / 1e6 / tasks,
            (c1[0] - c0[0]) * TICK_NANOS / 1e6 / tasks,
            lat[lat.length / 2] / 1e6,
            lat[(int) (lat.length * 0.99)] / 1e6
        };
    }

    private static void check(ExecuteResponse r) {
        if (r.getStatus() != Status.SUCCEEDED) {
            throw new IllegalStateException("task failed: " + r);
        }
    }

    /** {own utime+stime, children's cutime+cstime} of a process, in ticks. */
    static long[] times(long pid) throws IOException {
        String[] f = stat(Path.of("/proc/" + pid + "/stat"));
        return new long[] {Long.parseLong(f[13]) + Long.parseLong(f[14]), Long.parseLong(f[15]) + Long.parseLong(f[16])
        };
    }

    /** Thread name (as the kernel keeps it, 15 characters) to utime+stime, summed over threads of one name. */
    private static Map<String, Long> threadTimes(long pid) throws IOException {
        Map<String, Long> out = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String text = Files.readString(t.resolve("stat"));
                    String name = text.substring(text.indexOf('(') + 1, text.lastIndexOf(')'))
                            .replaceAll("-\\d+$", "-N");
                    String[] f = stat(t.resolve("stat"));
                    out.merge(name, Long.parseLong(f[13]) + Long.parseLong(f[14]), Long::sum);
                } catch (IOException | RuntimeException gone) {
                    // the thread ended meanwhile
                }
            }
        }
        return out;
    }

    /** The fields of a /proc stat file, numbered as in proc(5) from 0, the name (which may hold spaces) skipped. */
    private static String[] stat(Path file) throws IOException {
        String text = Files.readString(file);
        String rest = text.substring(text.lastIndexOf(')') + 2);
        String[] tail = rest.split(" ");
        String[] f = new String[tail.length + 2];
        f[0] = text.substring(0, text.indexOf(' '));
        f[1] = "name";
        System.arraycopy(tail, 0, f, 2, tail.length);
        return f;
    }

    /** The median of column {@code i} of the rounds. */
    static double median(List<double[]> rounds, int i) {
        double[] v = rounds.stream().mapToDouble(r -> r[i]).sorted().toArray();
        return v[v.length / 2];
    }
}
