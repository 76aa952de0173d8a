package dev.ferry.bench;

import dev.ferry.executor.api.ExecutorRegistry;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;
import dev.ferry.worker.internal.registry.Registries;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How late a 1 s deadline is answered while the machine is busy forking: {@code sleep 10} with a
 * 1 s timeout, submitted again and again, while other threads start {@code true} as fast as they
 * can (through the same registry, as a loaded worker would). Reports the lateness past 1 s of each
 * answer (the caller's view) and of each process's end (when its slot comes back).
 */
final class DeadlineLoad {
    private DeadlineLoad() {}

    static void run(int loadThreads, int samples) throws Exception {
        ExecutorRegistry registry =
                Registries.with("command", new dev.ferry.executor.command.internal.CommandExecutor(java.util.Map.of()));
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> load = new ArrayList<>();
        long[] forks = new long[loadThreads];
        Task quick = Task.of("command", "{\"command\":\"true\"}");
        for (int i = 0; i < loadThreads; i++) {
            int index = i;
            Thread t = new Thread(
                    () -> {
                        while (!stop.get()) {
                            registry.execute(quick, null);
                            forks[index]++;
                        }
                    },
                    "fork-load-" + i);
            t.start();
            load.add(t);
        }
        List<Double> answered = new ArrayList<>();
        List<Double> freed = new ArrayList<>();
        long started = System.nanoTime();
        try {
            for (int i = 0; i < samples; i++) {
                long t0 = System.nanoTime();
                var handle = registry.submit(
                        Task.of("command", "{\"command\":\"sleep\",\"args\":[\"10\"]}"), Duration.ofSeconds(1));
                Result r = handle.result().toCompletableFuture().get(30, TimeUnit.SECONDS);
                long t1 = System.nanoTime();
                if (r.status() != Status.TIMED_OUT) {
                    throw new IllegalStateException("expected TIMED_OUT, got " + r);
                }
                answered.add((t1 - t0) / 1e6 - 1000);
                // the slot comes back when the executor returned, i.e. the process is gone
                while (registry.capabilities().stream()
                        .anyMatch(c -> c.type().equals("command") && c.inFlight() > loadThreads)) {
                    Thread.onSpinWait();
                }
                freed.add((System.nanoTime() - t0) / 1e6 - 1000);
            }
        } finally {
            stop.set(true);
            for (Thread t : load) {
                t.join();
            }
            Registries.close(registry);
        }
        long total = 0;
        for (long f : forks) {
            total += f;
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "DEADLINE 1 s under %d fork-load thread(s) (%.0f tasks/s beside it), %d samples:"
                        + " answered late by median %.1f ms, max %.1f ms; process gone, late by median %.1f ms, max %.1f ms%n",
                loadThreads,
                total / seconds,
                samples,
                median(answered),
                Collections.max(answered),
                median(freed),
                Collections.max(freed));
    }

    /**
     * The same through a real worker process and its gRPC API: what a scheduler sees. Fork load and
     * samples are Execute calls on one connection.
     */
    static void runGrpc(int loadThreads, int samples) throws Exception {
        try (GrpcLoad w = GrpcLoad.start()) {
            var stub = dev.ferry.worker.grpc.v1.WorkerGrpc.newBlockingStub(w.channel);
            var quick = dev.ferry.worker.grpc.v1.ExecuteRequest.newBuilder()
                    .setTaskType("command")
                    .setPayload(com.google.protobuf.ByteString.copyFromUtf8("{\"command\":\"true\"}"))
                    .build();
            var slow = dev.ferry.worker.grpc.v1.ExecuteRequest.newBuilder()
                    .setTaskType("command")
                    .setPayload(
                            com.google.protobuf.ByteString.copyFromUtf8("{\"command\":\"sleep\",\"args\":[\"10\"]}"))
                    .setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(1))
                    .build();
            AtomicBoolean stop = new AtomicBoolean();
            long[] forks = new long[loadThreads];
            List<Thread> load = new ArrayList<>();
            for (int i = 0; i < loadThreads; i++) {
                int index = i;
                Thread t = new Thread(
                        () -> {
                            while (!stop.get()) {
                                stub.execute(quick);
                                forks[index]++;
                            }
                        },
                        "grpc-fork-load-" + i);
                t.start();
                load.add(t);
            }
            List<Double> answered = new ArrayList<>();
            long started = System.nanoTime();
            try {
                for (int i = 0; i < samples; i++) {
                    long t0 = System.nanoTime();
                    var r = stub.execute(slow);
                    answered.add((System.nanoTime() - t0) / 1e6 - 1000);
                    if (r.getStatus() != dev.ferry.worker.grpc.v1.Status.TIMED_OUT) {
                        throw new IllegalStateException("expected TIMED_OUT, got " + r.getStatus());
                    }
                }
            } finally {
                stop.set(true);
                for (Thread t : load) {
                    t.join();
                }
            }
            long total = 0;
            for (long f : forks) {
                total += f;
            }
            System.out.printf(
                    Locale.ROOT,
                    "DEADLINE over gRPC, 1 s under %d fork-load client(s) (%.0f tasks/s beside it),"
                            + " %d samples: answered late by median %.1f ms, max %.1f ms%n",
                    loadThreads,
                    total / ((System.nanoTime() - started) / 1e9),
                    samples,
                    median(answered),
                    Collections.max(answered));
        }
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
