package dev.ferry.worker.internal.registry;

import dev.ferry.executor.api.Executor;
import dev.ferry.executor.api.ExecutorRegistry;

/** Builds the worker's real registry engine outside OSGi, for benchmarks. */
public final class Registries {
    private Registries() {
    }

    /** The registry with default settings and one executor serving {@code type}. */
    public static ExecutorRegistry with(String type, Executor executor) {
        Dispatcher d = new Dispatcher(RegistrySettings.DEFAULTS);
        d.add(new ServiceEntry(type, 1, 0, Long.MAX_VALUE, "bench", "1.0.0", () -> executor, () -> {}));
        return d;
    }

    public static void close(ExecutorRegistry registry) {
        ((Dispatcher) registry).close();
    }
}
