package dev.ferry.testing;

import dev.ferry.support.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when the test moves it, so a test decides when a deadline passes instead of
 * sleeping past it.
 *
 * <pre>
 * FakeTicker clock = new FakeTicker();
 * clock.advance(Duration.ofSeconds(5)); // the task's 5 s are up, now
 * </pre>
 */
public final class FakeTicker implements Ticker {
    /**
     * Starts at the system clock's reading, so a {@code deadlineNanos()} an executor compares with
     * {@link System#nanoTime()} still means what it says until the test moves this clock.
     */
    private final AtomicLong now = new AtomicLong(System.nanoTime());

    @Override
    public long nanos() {
        return now.get();
    }

    /** @param by moves the clock forward */
    public void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }
}
