package dev.ferry.worker.grpc.internal;

import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/**
 * The task ids callers gave that this worker runs or ran lately, so that the same id sent again never runs twice: a
 * call that repeats one gets the first run's outcome (waiting for it while it runs). Bounded: the ids of tasks that
 * ended leave after {@code window} nanoseconds, or sooner when more than {@code capacity} are kept (oldest first); a
 * running task's id stays while it runs. A refused task (it never ran) is forgotten at once, so a retry may run it.
 *
 * <p>The same id with a different type or payload is a caller's mistake, answered as such: it would otherwise get
 * another task's outcome.
 */
final class TaskIds {
    /** What {@link #claim} found. */
    sealed interface Claim permits Fresh, Seen, Conflict {}

    /** A new id: the caller runs the task and hands its outcome to {@link Fresh#ran}. */
    final class Fresh implements Claim {
        private final String id;
        private final Entry entry;

        private Fresh(String id, Entry entry) {
            this.id = id;
            this.entry = entry;
        }

        void ran(CompletionStage<Result> result) {
            result.whenComplete((r, failure) -> {
                ended(id, entry, r);
                if (failure != null) {
                    entry.result.completeExceptionally(failure);
                } else {
                    entry.result.complete(r);
                }
            });
        }
    }

    /** The id runs or ran with the same task: its outcome, when it has one. */
    record Seen(CompletableFuture<Result> result) implements Claim {}

    /** The id was used for another task. */
    record Conflict(String message) implements Claim {}

    private static final class Entry {
        final String fingerprint;
        final CompletableFuture<Result> result = new CompletableFuture<>();
        long endedAt = Long.MAX_VALUE; // guarded by TaskIds.this

        Entry(String fingerprint) {
            this.fingerprint = fingerprint;
        }
    }

    private final int capacity;
    private final long windowNanos;
    private final LongSupplier nanos;
    private final Map<String, Entry> byId = new LinkedHashMap<>(); // guarded by this, in the order ids came

    TaskIds(int capacity, long windowNanos, LongSupplier nanos) {
        this.capacity = capacity;
        this.windowNanos = windowNanos;
        this.nanos = nanos;
    }

    /**
     * Claims the id for this task, or finds who has it.
     *
     * @param caller who sends it (the authenticated identity, not an address): another caller's task under the same
     *     id is a conflict, never its outcome, so nobody reads a task's output by replaying its id and payload
     */
    Claim claim(String id, String caller, String type, byte[] payload) {
        String fingerprint = fingerprint(caller, type, payload);
        synchronized (this) {
            expire();
            Entry e = byId.get(id);
            if (e == null) {
                e = new Entry(fingerprint);
                byId.put(id, e);
                return new Fresh(id, e);
            }
            if (!e.fingerprint.equals(fingerprint)) {
                return new Conflict("task id '" + id
                        + "' was used for a different task (another type, payload or caller) on"
                        + " this worker within the last " + windowNanos / 1_000_000_000L + " s; give every task its"
                        + " own id, and the same id only to a retry of the same task");
            }
            return new Seen(e.result);
        }
    }

    /** How many ids are kept now (metrics, tests). */
    synchronized int size() {
        return byId.size();
    }

    private synchronized void ended(String id, Entry entry, Result r) {
        if (byId.get(id) != entry) {
            return;
        }
        if (r == null || r.status() == Status.REJECTED) {
            byId.remove(id); // it never ran: a retry may run it
        } else {
            entry.endedAt = nanos.getAsLong();
        }
        expire();
    }

    /** Drops ended ids past the window, and the oldest ended ones while over capacity. */
    private void expire() {
        long now = nanos.getAsLong();
        int over = byId.size() - capacity;
        for (Iterator<Entry> it = byId.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.endedAt == Long.MAX_VALUE) {
                continue; // running: its id stays
            }
            if (over > 0 || now - e.endedAt > windowNanos) {
                it.remove();
                over--;
            } else if (over <= 0) {
                break; // in arrival order: the rest ended later or runs
            }
        }
    }

    /** SHA-256 of the caller, the type and the payload, as a string of its 32 bytes (compared, never shown). */
    private static String fingerprint(String caller, String type, byte[] payload) {
        MessageDigest d;
        try {
            d = (MessageDigest) SHA_256.clone(); // cheaper than a provider lookup per task
        } catch (CloneNotSupportedException e) {
            d = sha256();
        }
        d.update(caller.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        d.update((byte) 0);
        d.update(type.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        d.update((byte) 0);
        d.update(payload);
        return new String(d.digest(), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static final MessageDigest SHA_256 = sha256();

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
