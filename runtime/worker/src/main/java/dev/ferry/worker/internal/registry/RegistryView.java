package dev.ferry.worker.internal.registry;

import dev.ferry.executor.api.ExecutorRegistry;
import dev.ferry.executor.api.ExecutorStats;
import java.util.Map;

/** What the worker's own surfaces (shell, gRPC) see beyond the public registry API. */
public interface RegistryView extends ExecutorRegistry {
    /** @return counters of every type seen since start, including types that have no service now */
    Map<String, ExecutorStats> stats();

    /** @return the concurrency limit of every type seen since start */
    Map<String, Integer> limits();
}
