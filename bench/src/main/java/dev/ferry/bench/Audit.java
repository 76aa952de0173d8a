package dev.ferry.bench;

import dev.ferry.executor.api.Executor;
import dev.ferry.executor.api.ExecutorRegistry;
import dev.ferry.worker.internal.audit.AuditTrail;
import dev.ferry.worker.internal.registry.Registries;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The registry a load driver runs its tasks through: with {@code -Dferry.bench.audit=on} every task also goes to a
 * real audit trail (its writer thread, a file in a temporary folder), so a run with and one without compare what the
 * trail costs a real executor's throughput.
 */
final class Audit {
    private Audit() {}

    static boolean on() {
        return "on".equals(System.getProperty("ferry.bench.audit"));
    }

    /** The registry serving {@code executor}, audited when asked; close it with {@link #close}. */
    static ExecutorRegistry registry(String type, Executor executor) throws IOException {
        if (!on()) {
            return Registries.with(type, executor);
        }
        Path dir = Files.createTempDirectory("ferry-bench-audit");
        AuditTrail trail =
                new AuditTrail(new AuditTrail.Settings(true, false, dir.resolve("audit.log"), 10L * 1024 * 1024, 2));
        ExecutorRegistry audited = Registries.with(type, executor, trail);
        TRAILS.put(audited, trail);
        return audited;
    }

    private static final java.util.Map<ExecutorRegistry, AuditTrail> TRAILS = new java.util.LinkedHashMap<>();

    static void close(ExecutorRegistry registry) throws InterruptedException {
        Registries.close(registry);
        AuditTrail trail = TRAILS.remove(registry);
        if (trail != null) {
            trail.deactivate();
        }
    }
}
