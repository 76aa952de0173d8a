package dev.ferry.bench;

import dev.ferry.executor.api.DirectExecutionContext;
import dev.ferry.executor.api.ExecutionContext;
import dev.ferry.executor.api.Executor;
import dev.ferry.executor.api.ExecutorRegistry;
import dev.ferry.executor.api.Prepared;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Task;
import dev.ferry.worker.internal.registry.Registries;
import java.time.Duration;
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
 * A no-op task through the registry (select, prepare, permit, deadline, stats, timing metadata)
 * against calling the same executor's prepare and execute directly.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DispatchBenchmark {
    static final Result DONE = Result.succeeded(new byte[0]);

    static final class Noop implements Executor {
        private static final Prepared RUN = context -> DONE;

        @Override
        public Prepared prepare(Task task) {
            return RUN;
        }
    }

    private final Executor noop = new Noop();
    /** What a caller without the registry would hand the executor. */
    private final ExecutionContext plain = DirectExecutionContext.withTimeout(Duration.ofDays(1));

    private final Task task = Task.of("noop", "{}");
    private ExecutorRegistry registry;
    private ExecutorRegistry audited;
    private dev.ferry.worker.internal.audit.AuditTrail trail;
    private java.nio.file.Path auditDir;

    @Setup
    public void setUp() throws java.io.IOException {
        registry = Registries.with("noop", noop);
        auditDir = java.nio.file.Files.createTempDirectory("ferry-bench-audit");
        trail = new dev.ferry.worker.internal.audit.AuditTrail(new dev.ferry.worker.internal.audit.AuditTrail.Settings(
                true, false, auditDir.resolve("audit.log"), 10L * 1024 * 1024, 2));
        audited = Registries.with("noop", noop, trail);
    }

    @TearDown
    public void tearDown() throws Exception {
        Registries.close(registry);
        Registries.close(audited);
        trail.deactivate();
        try (var files = java.nio.file.Files.list(auditDir)) {
            for (java.nio.file.Path p : files.toList()) {
                java.nio.file.Files.delete(p);
            }
        }
        java.nio.file.Files.delete(auditDir);
    }

    @Benchmark
    public Result direct() throws Exception {
        return noop.prepare(task).execute(plain);
    }

    @Benchmark
    public Result registry() {
        return registry.execute(task, null);
    }

    /** The same, with the audit trail on: one line per task, written by the trail's own thread. */
    @Benchmark
    public Result registryAudited() {
        return audited.execute(task, null);
    }

    @Benchmark
    public Result registrySubmit() throws Exception {
        return registry.submit(task, null).result().toCompletableFuture().get();
    }
}
