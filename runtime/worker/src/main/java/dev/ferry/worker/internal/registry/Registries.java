package dev.ferry.worker.internal.registry;

import dev.ferry.executor.api.Executor;
import dev.ferry.executor.api.ExecutorRegistry;
import dev.ferry.support.Ticker;

/**
 * The worker's real registry outside a framework, with its default configuration and one executor:
 * for the benchmarks, which compare it with calling the executor directly.
 */
public final class Registries {
    private Registries() {}

    /** @return the registry with default settings and {@code executor} serving {@code type} */
    public static ExecutorRegistry with(String type, Executor executor) {
        OsgiExecutorRegistry r = new OsgiExecutorRegistry(RegistrySettings.DEFAULTS, Switches.ALL_ON, Ticker.SYSTEM);
        r.dispatcher()
                .serviceAdded(new ServiceEntry(
                        type, 1, ServiceEntry.Properties.NONE, "bench", "1.0.0", () -> executor, () -> {}));
        return r;
    }

    /** @return {@link #with} whose every answered task also goes to {@code observer} (the audit trail) */
    public static ExecutorRegistry with(String type, Executor executor, TaskObserver observer) {
        OsgiExecutorRegistry r = (OsgiExecutorRegistry) with(type, executor);
        r.addObserver(observer);
        return r;
    }

    public static void close(ExecutorRegistry registry) {
        ((OsgiExecutorRegistry) registry).dispatcher().close();
    }
}
