package dev.ferry.bench;

import dev.ferry.executor.api.ExecutorRegistry;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;
import dev.ferry.worker.internal.registry.Registries;
import java.io.IOException;
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
 * {@code true} as a command task through the registry, against a plain ProcessBuilder loop with
 * the JDK's default launch mechanism and with VFORK (the launch mechanism is fixed per JVM, so
 * each runs in its own fork). The worker runs with VFORK on JDK 17 to 21.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
public class CommandBenchmark {
    static final String VFORK = "-Djdk.lang.Process.launchMechanism=VFORK";

    private final Task task = Task.of("command", "{\"command\":\"true\"}");
    private ExecutorRegistry registry;

    @Setup
    public void setUp() {
        registry =
                Registries.with("command", new dev.ferry.executor.command.internal.CommandExecutor(java.util.Map.of()));
    }

    @TearDown
    public void tearDown() {
        Registries.close(registry);
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = VFORK)
    public Result registryVfork() {
        return check(registry.execute(task, null));
    }

    @Benchmark
    @Fork(1)
    public Result registryDefault() {
        return check(registry.execute(task, null));
    }

    @Benchmark
    @Fork(1)
    public int plainDefault() throws Exception {
        return plain();
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = VFORK)
    public int plainVfork() throws Exception {
        return plain();
    }

    /** What a hand-rolled worker does: start, read both streams, wait. */
    static int plain() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("true").start();
        p.getInputStream().readAllBytes();
        p.getErrorStream().readAllBytes();
        int code = p.waitFor();
        if (code != 0) {
            throw new IllegalStateException("true exited " + code);
        }
        return code;
    }

    private static Result check(Result r) {
        if (r.status() != Status.SUCCEEDED) {
            throw new IllegalStateException("task failed: " + r);
        }
        return r;
    }
}
