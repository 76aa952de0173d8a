package dev.ferry.worker.internal.registry;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lock-free log-linear histogram of durations: 16 buckets per power of two (about 6 % resolution),
 * from 1 µs to about 2^40 µs. Recording is one atomic increment.
 */
final class LatencyHistogram {
    private static final int SUB_BITS = 4;
    private static final int SUB = 1 << SUB_BITS;
    private static final int BUCKETS = 41 * SUB;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private volatile long max;

    void record(long micros) {
        counts.incrementAndGet(index(micros));
        if (micros > max) {
            max = micros; // a racy max is fine for an operator's view
        }
    }

    static int index(long micros) {
        if (micros < SUB) {
            return (int) Math.max(0, micros);
        }
        int exp = 63 - Long.numberOfLeadingZeros(micros); // >= SUB_BITS
        int sub = (int) (micros >>> (exp - SUB_BITS)) & (SUB - 1);
        int i = (exp - SUB_BITS + 1) * SUB + sub;
        return Math.min(i, BUCKETS - 1);
    }

    /** Lower bound of a bucket, in microseconds. */
    static long lowerBound(int index) {
        if (index < SUB) {
            return index;
        }
        int exp = index / SUB - 1 + SUB_BITS;
        int sub = index % SUB;
        return ((long) (SUB + sub)) << (exp - SUB_BITS);
    }

    long percentile(double p) {
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            total += counts.get(i);
        }
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(p * total);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return Math.min(lowerBound(i), max);
            }
        }
        return max;
    }

    long max() {
        return max;
    }

    /** Durations recorded in all. */
    long count() {
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            total += counts.get(i);
        }
        return total;
    }

    /**
     * Durations recorded of at most {@code micros}, to a bucket's resolution: a bucket counts when its
     * upper bound is within the limit (about 6 % of resolution, so a Prometheus bucket may miss the few
     * durations just below its bound).
     */
    long countAtMost(long micros) {
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            long upper = i + 1 < BUCKETS ? lowerBound(i + 1) : Long.MAX_VALUE;
            if (upper - 1 > micros) {
                break;
            }
            total += counts.get(i);
        }
        return total;
    }
}
