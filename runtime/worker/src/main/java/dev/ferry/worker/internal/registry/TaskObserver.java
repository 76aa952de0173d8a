package dev.ferry.worker.internal.registry;

import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Task;

/**
 * Told of every task the registry answers, refused ones included (validations are not tasks): the audit trail.
 * A service of the worker's own; the registry calls it on the thread that completes the task, so it must be
 * quick (hand the record over, write elsewhere) and never throw.
 */
public interface TaskObserver {
    void ended(Task task, Result result);
}
