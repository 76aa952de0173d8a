package dev.ferry.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The floor in Java: {@code true} by a plain {@code ProcessBuilder} loop with the VFORK launch mechanism,
 * in a JVM of its own, as the worker is: prints tasks per second.
 */
public final class PlainLoop {
    private PlainLoop() {}

    /** Runs the loop in a new JVM; returns {tasks/s, that JVM's own CPU ms/task, its children's CPU ms/task}. */
    static double[] inOwnJvm(int threads, long millis) throws Exception {
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Djdk.lang.Process.launchMechanism=VFORK",
                        "-cp",
                        System.getProperty("java.class.path"),
                        PlainLoop.class.getName(),
                        Integer.toString(threads),
                        Long.toString(millis))
                .redirectErrorStream(true)
                .start();
        String last = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                last = line;
            }
        }
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || last == null) {
            throw new IllegalStateException("the plain loop failed: " + last);
        }
        String[] f = last.trim().split(" ");
        return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        long millis = Long.parseLong(args[1]);
        run(threads, 2000); // warm-up, as the worker's measurement is after one
        long[] before = CommandGrpcLoad.times(ProcessHandle.current().pid());
        double[] r = run(threads, millis);
        long[] after = CommandGrpcLoad.times(ProcessHandle.current().pid());
        double tickMs = CommandGrpcLoad.TICK_NANOS / 1e6;
        System.out.println(
                r[0] + " " + (after[0] - before[0]) * tickMs / r[1] + " " + (after[1] - before[1]) * tickMs / r[1]);
    }

    /** @return {tasks/s, tasks} */
    private static double[] run(int threads, long millis) throws Exception {
        long end = System.nanoTime() + millis * 1_000_000L;
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Long>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            fs.add(pool.submit(() -> {
                long n = 0;
                while (System.nanoTime() < end) {
                    CommandBenchmark.plain(); // the same plain run command-load compares with
                    n++;
                }
                return n;
            }));
        }
        long total = 0;
        for (Future<Long> f : fs) {
            total += f.get();
        }
        pool.shutdown();
        return new double[] {total / ((System.nanoTime() - start) / 1e9), total};
    }
}
