package dev.ferry.executor.command.internal;

import dev.ferry.support.Watch;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Without a PID namespace, what a task left behind when it ended normally (a daemon that detached, with
 * the task's marker in its environment) is found by reading the environment of every process. That pass
 * costs about 1.4 ms of CPU here, as much as the task itself, so the tasks that ended within a tick share
 * one pass: each marker is looked for in two passes after its task ended (a daemon forking at the first
 * is found at the second), and what carries it is killed with the task's grace period.
 */
final class MarkerSweep implements AutoCloseable {
    static final long TICK_MILLIS = 50;

    /** A task that ended, and how many passes have looked for its marker. */
    private static final class Ended {
        final String marker;
        final long graceMillis;
        int passes;

        Ended(String marker, long graceMillis) {
            this.marker = marker;
            this.graceMillis = graceMillis;
        }
    }

    private final Executor killer;
    private final Watch<Ended> watch;

    /** @param killer where the kills run (they wait out grace periods) */
    MarkerSweep(Executor killer) {
        this.killer = killer;
        this.watch = Watch.batch(
                "ferry-command-sweep",
                TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS),
                TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS),
                this::pass);
    }

    /** A task ended normally: kill whatever still carries its marker, at the next passes. */
    void ended(String marker, long graceMillis) {
        watch.add(new Ended(marker, graceMillis));
    }

    private void pass(Set<Ended> ended, long now) {
        Map<String, Ended> byMarker = new HashMap<>();
        for (Ended e : ended) {
            byMarker.put(e.marker, e);
        }
        Map<String, List<Long>> found = ProcessTree.marked(byMarker.keySet());
        for (Map.Entry<String, List<Long>> f : found.entrySet()) {
            Ended e = byMarker.get(f.getKey());
            Set<ProcessHandle> targets = new LinkedHashSet<>();
            for (long pid : f.getValue()) {
                ProcessHandle.of(pid).ifPresent(targets::add);
            }
            String marker = e.marker;
            killer.execute(
                    () -> ProcessTree.terminate(targets, e.graceMillis, () -> handles(ProcessTree.marked(marker))));
        }
        for (Ended e : byMarker.values()) {
            if (++e.passes >= 2) {
                ended.remove(e);
            }
        }
    }

    private static Set<ProcessHandle> handles(List<Long> pids) {
        Set<ProcessHandle> out = new LinkedHashSet<>();
        for (long pid : pids) {
            ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(out::add);
        }
        return out;
    }

    @Override
    public void close() {
        watch.close();
    }
}
