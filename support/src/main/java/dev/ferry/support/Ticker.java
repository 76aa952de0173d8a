package dev.ferry.support;

/**
 * Where time comes from: {@link #SYSTEM} in the worker, a clock a test moves by hand where it must
 * decide when a deadline passes (the testing module's {@code FakeTicker}).
 */
@FunctionalInterface
public interface Ticker {
    /** {@link System#nanoTime()}. */
    Ticker SYSTEM = System::nanoTime;

    /** @return now, in nanoseconds on an arbitrary origin (compare two readings, never read one alone) */
    long nanos();
}
