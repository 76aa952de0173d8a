package dev.ferry.testing;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Waits, bounded, for something another thread, process or framework makes true: it looks every few
 * milliseconds and fails naming what it waited for once the time is up. A test that must show a thing
 * never happens waits instead for a later thing that could only come after it (a task queued behind it
 * finished, a later line in the log), then checks the first is absent.
 *
 * <pre>
 * Await.until("the task is parked", Duration.ofSeconds(10), () -&gt; parked("t") == 1);
 * </pre>
 */
public final class Await {
    /** How often a condition is looked at. */
    static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private Await() {}

    /** A condition that may throw (a probe over the network, a file read). */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /**
     * @param what what is waited for, as the failure names it
     * @param within how long at most
     * @param condition looked at until it holds; an exception it throws counts as "not yet", and the last
     *     one is the failure's cause
     * @throws AssertionError when it did not hold in time
     */
    public static void until(String what, Duration within, Condition condition) throws InterruptedException {
        value(what, within, () -> condition.holds() ? Optional.of(Boolean.TRUE) : Optional.empty());
    }

    /**
     * @param what what is waited for, as the failure names it
     * @param within how long at most
     * @param probe looked at until it gives a value
     * @return the value
     * @throws AssertionError when none came in time
     */
    public static <T> T value(String what, Duration within, Probe<T> probe) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        Exception last = null;
        for (; ; ) {
            try {
                Optional<T> v = probe.look();
                if (v.isPresent()) {
                    return v.get();
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() - deadline > 0) {
                AssertionError failure = new AssertionError("timed out after " + within + " waiting for " + what
                        + (last == null ? "" : " (last try: " + last + ")"));
                if (last != null) {
                    failure.initCause(last);
                }
                throw failure;
            }
            TimeUnit.NANOSECONDS.sleep(POLL_NANOS);
        }
    }

    /** Something looked at until it gives a value. */
    @FunctionalInterface
    public interface Probe<T> {
        Optional<T> look() throws Exception;
    }

    /**
     * @param what what is waited for, as the failure names it
     * @param within how long at most
     * @param stage completes with the value
     * @return its value
     * @throws AssertionError when it did not complete in time, or completed exceptionally
     */
    public static <T> T result(String what, Duration within, CompletionStage<T> stage) throws InterruptedException {
        try {
            return stage.toCompletableFuture().get(within.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("timed out after " + within + " waiting for " + what, e);
        } catch (ExecutionException e) {
            throw new AssertionError(what + " failed: " + e.getCause(), e.getCause());
        }
    }

    /** @return a supplier's value as a probe: present when not null */
    public static <T> Probe<T> nonNull(Supplier<T> supplier) {
        return () -> Optional.ofNullable(supplier.get());
    }
}
