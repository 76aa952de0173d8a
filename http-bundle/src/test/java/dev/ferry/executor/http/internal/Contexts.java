package dev.ferry.executor.http.internal;

import dev.ferry.executor.api.ExecutionContext;
import dev.ferry.executor.api.Status;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An execution context the test controls: its hooks run when the test cancels, as the registry
 * runs them. (The registry's own context is tested with the registry.)
 */
final class Contexts implements ExecutionContext {
    private final List<Runnable> hooks = new CopyOnWriteArrayList<>();
    private volatile Status stopped;

    @Override
    public String taskId() {
        return "unit";
    }

    @Override
    public Duration remaining() {
        return Duration.ofHours(1);
    }

    @Override
    public long deadlineNanos() {
        return System.nanoTime() + Duration.ofHours(1).toNanos();
    }

    @Override
    public boolean isCancelled() {
        return stopped != null;
    }

    @Override
    public Status stopReason() {
        return stopped;
    }

    @Override
    public Hook onCancel(Runnable hook) {
        hooks.add(hook);
        return () -> hooks.remove(hook);
    }

    void cancel() {
        stopped = Status.CANCELLED;
        hooks.forEach(Runnable::run);
    }
}
