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

    /**
     * Stops admitting tasks of a type, for maintenance: new ones are rejected ({@code DRAINED}) with the reason,
     * its health is down, tasks already running or waiting for a slot finish. Lasts until {@link #resume} or a
     * restart.
     *
     * @return the tasks of the type running now, or -1 when no such type was ever seen
     */
    int drain(String type, String reason);

    /** @return whether the type was drained (it serves again now) */
    boolean resume(String type);

    /** @return the types drained now, with the reason */
    Map<String, String> drained();

    /** The state of one type now, for a metrics endpoint. */
    record TypeState(int inFlight, int waiting, int limit, int services, boolean drained, TaskMetrics counters) {}

    /**
     * @param bounds the duration histogram's bucket bounds, in seconds, ascending
     * @return every type seen since start, its state and counters
     */
    Map<String, TypeState> typeStates(double[] bounds);

    /** @return tasks rejected because no executor served their type (counted apart: the type names are the callers') */
    long unknownTypeRejections();
}
