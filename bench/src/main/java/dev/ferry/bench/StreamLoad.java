package dev.ferry.bench;

import static dev.ferry.bench.CommandGrpcLoad.median;

import com.google.protobuf.ByteString;
import dev.ferry.worker.grpc.v1.ExecuteRequest;
import dev.ferry.worker.grpc.v1.ExecuteStreamResponse;
import dev.ferry.worker.grpc.v1.Status;
import dev.ferry.worker.grpc.v1.WorkerGrpc;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Streaming throughput: {@code head -c 1G /dev/zero} as a command task through {@code ExecuteStream} of a real
 * worker process to this process (a Java gRPC client on loopback), beside the same program read to its end by a
 * plain {@code ProcessBuilder} here, rounds alternating; and what the worker keeps on its heap while it streams:
 * its old generation from {@code jstat}, sampled every 100 ms (the chunks themselves die young, in eden, as
 * garbage; what a worker holding the stream would keep would be promoted there).
 */
final class StreamLoad {
    private static final long BYTES = 1L << 30;

    private StreamLoad() {}

    static void run(int runs) throws Exception {
        ExecuteRequest request = ExecuteRequest.newBuilder()
                .setTaskType("command")
                .setPayload(ByteString.copyFromUtf8(
                        "{\"command\":\"head\",\"args\":[\"-c\",\"" + BYTES + "\",\"/dev/zero\"]}"))
                .build();
        try (GrpcLoad worker = GrpcLoad.start()) {
            WorkerGrpc.WorkerBlockingStub stub = WorkerGrpc.newBlockingStub(worker.channel);
            for (int i = 0; i < 3; i++) { // warm-up of both ends, not reported
                stream(stub, request);
                plain();
            }
            List<double[]> rounds = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                double plain = plain();
                Heap heap = Heap.watch(worker.process().pid());
                long[] cpu0 = cpu(worker.process().pid());
                long client0 = ProcessHandle.current()
                        .info()
                        .totalCpuDuration()
                        .orElseThrow()
                        .toMillis();
                double ferry = stream(stub, request);
                long[] cpu1 = cpu(worker.process().pid());
                long client = ProcessHandle.current()
                                .info()
                                .totalCpuDuration()
                                .orElseThrow()
                                .toMillis()
                        - client0;
                double[] mb = heap.stop();
                rounds.add(new double[] {ferry, plain, ferry / plain, mb[0], mb[1]});
                System.out.printf(
                        Locale.ROOT,
                        "stream run %d: ExecuteStream %.0f MB/s, plain ProcessBuilder %.0f MB/s (%.2fx);"
                                + " worker old generation %.0f MB before, at most %.0f MB while streaming; CPU for the GiB: worker"
                                + " %d ms user + %d ms system, this client %d ms%n",
                        r + 1,
                        ferry,
                        plain,
                        ferry / plain,
                        mb[0],
                        mb[1],
                        (cpu1[0] - cpu0[0]) * 10,
                        (cpu1[1] - cpu0[1]) * 10,
                        client);
            }
            System.out.printf(
                    Locale.ROOT,
                    "STREAM 1 GiB (median of %d): ExecuteStream %.0f MB/s, plain %.0f MB/s, %.2fx;"
                            + " worker old generation at most %.0f MB while streaming (%.0f MB before)%n",
                    runs,
                    median(rounds, 0),
                    median(rounds, 1),
                    median(rounds, 2),
                    median(rounds, 4),
                    median(rounds, 3));
        }
    }

    /** User and system CPU of a process, in 1/100 s (USER_HZ), from /proc. */
    private static long[] cpu(long pid) throws java.io.IOException {
        String stat = java.nio.file.Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
    }

    /** MB/s of one task's output through ExecuteStream, all bytes counted. */
    private static double stream(WorkerGrpc.WorkerBlockingStub stub, ExecuteRequest request) {
        long start = System.nanoTime();
        long bytes = 0;
        Status status = null;
        Iterator<ExecuteStreamResponse> it =
                stub.withDeadlineAfter(10, TimeUnit.MINUTES).executeStream(request);
        while (it.hasNext()) {
            ExecuteStreamResponse m = it.next();
            if (m.hasChunk()) {
                bytes += m.getChunk().getData().size();
            } else if (m.hasResult()) {
                status = m.getResult().getStatus();
            }
        }
        if (bytes != BYTES || status != Status.SUCCEEDED) {
            throw new IllegalStateException("the stream brought " + bytes + " bytes, status " + status);
        }
        return BYTES / 1e6 / ((System.nanoTime() - start) / 1e9);
    }

    /** MB/s of the same program read to its end by a plain ProcessBuilder, output dropped. */
    private static double plain() throws Exception {
        long start = System.nanoTime();
        Process p = new ProcessBuilder("head", "-c", Long.toString(BYTES), "/dev/zero")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        long bytes = 0;
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = p.getInputStream()) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                bytes += n;
            }
        }
        if (p.waitFor() != 0 || bytes != BYTES) {
            throw new IllegalStateException("head read " + bytes + " bytes");
        }
        return BYTES / 1e6 / ((System.nanoTime() - start) / 1e9);
    }

    /** The worker's old generation in use, from jstat every 100 ms: before, and the most seen until stopped. */
    private static final class Heap {
        private final Process jstat;
        private final AtomicLong first = new AtomicLong(-1);
        private final AtomicLong most = new AtomicLong();
        private final Thread reader;

        private Heap(Process jstat) {
            this.jstat = jstat;
            this.reader = new Thread(
                    () -> {
                        try (BufferedReader r = new BufferedReader(
                                new InputStreamReader(jstat.getInputStream(), StandardCharsets.UTF_8))) {
                            for (String line; (line = r.readLine()) != null; ) {
                                String[] f = line.trim().split("\\s+");
                                if (f.length < 8 || !f[0].matches("[0-9.]+")) {
                                    continue; // the header
                                }
                                // -gc columns: S0C S1C S0U S1U EC EU OC OU ...
                                long used = (long) Double.parseDouble(f[7]); // KB of the old generation in use
                                first.compareAndSet(-1, used);
                                most.accumulateAndGet(used, Math::max);
                            }
                        } catch (java.io.IOException e) {
                            // jstat ended
                        }
                    },
                    "jstat");
            reader.setDaemon(true);
            reader.start();
        }

        static Heap watch(long pid) throws Exception {
            Process p = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "jstat")
                                    .toString(),
                            "-gc",
                            Long.toString(pid),
                            "100")
                    .redirectErrorStream(true)
                    .start();
            Heap h = new Heap(p);
            try { // jstat's first sample, before the stream starts
                dev.ferry.testing.Await.until(
                        "jstat's first sample", java.time.Duration.ofSeconds(10), () -> h.first.get() >= 0);
            } catch (AssertionError e) {
                // measured on without it, as before
            }
            return h;
        }

        /** @return MB in use before, and the most in use while watched */
        double[] stop() throws InterruptedException {
            jstat.destroy();
            reader.join(5000);
            return new double[] {first.get() / 1024.0, most.get() / 1024.0};
        }
    }
}
