package dev.ferry.executor.command.internal;

import dev.ferry.support.Watch;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One thread that looks after every running command, so that a short command costs no thread
 * hand-off at all:
 * <ul>
 * <li>stderr is read by the task's own thread after stdout ends, unless the command is still
 *     running after {@link #PUMP_AFTER_MILLIS}: then a helper drains stderr meanwhile, so a
 *     program that fills the stderr pipe before closing stdout cannot deadlock;</li>
 * <li>when the program exited but its output is still open, held by processes it left behind (a
 *     {@code sleep 300 &}), those leftovers are killed after a linger period, so the task ends.</li>
 * </ul>
 */
final class Leftovers {
    static final long TICK_MILLIS = 10;
    static final long IDLE_TICK_MILLIS = 100;
    static final long PUMP_AFTER_MILLIS = 20;

    /** A running command as the watch sees it. */
    static final class Watched {
        final Process process;
        final String marker;
        final long startedAt = System.nanoTime();
        /** Whoever sets this reads stderr: the task's thread, or a helper the watch starts. */
        final AtomicBoolean stderrClaimed = new AtomicBoolean();

        final CompletableFuture<Capture> stderr = new CompletableFuture<>();
        volatile boolean outputDone;
        long exitSeenAt;

        Watched(Process process, String marker) {
            this.process = process;
            this.marker = marker;
        }
    }

    private final long lingerNanos;
    private final long pumpAfterNanos = TimeUnit.MILLISECONDS.toNanos(PUMP_AFTER_MILLIS);
    private final Consumer<Watched> killer;
    private final Consumer<Watched> pump;
    private final Watch<Watched> watch;

    Leftovers(long lingerMillis, Consumer<Watched> killer, Consumer<Watched> pump) {
        this.lingerNanos = TimeUnit.MILLISECONDS.toNanos(lingerMillis);
        this.killer = killer;
        this.pump = pump;
        this.watch = new Watch<>(
                "ferry-command-leftovers",
                TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS),
                TimeUnit.MILLISECONDS.toNanos(IDLE_TICK_MILLIS),
                this::check);
    }

    Watched watch(Process process, String marker) {
        Watched w = new Watched(process, marker);
        watch.add(w);
        return w;
    }

    void done(Watched w) {
        w.outputDone = true;
        watch.remove(w);
    }

    /** One look at a running command; true when it needs no more. */
    private boolean check(Watched w, long now) {
        if (w.outputDone) {
            return true;
        }
        if (now - w.startedAt >= pumpAfterNanos && w.stderrClaimed.compareAndSet(false, true)) {
            pump.accept(w);
        }
        if (!w.process.isAlive()) {
            if (w.exitSeenAt == 0) {
                w.exitSeenAt = now;
            } else if (now - w.exitSeenAt >= lingerNanos) {
                killer.accept(w);
                return true;
            }
        }
        return false;
    }

    void close() {
        watch.close();
    }
}
