package dev.ferry.worker.internal.registry;

import dev.ferry.executor.api.Rejection;
import dev.ferry.executor.api.Status;
import java.util.Map;

/**
 * One type's counters since start, as a metrics endpoint shows them.
 *
 * @param byStatus tasks ended, by status
 * @param rejected tasks rejected, by reason
 * @param durationBuckets tasks that ran, cumulative at each of the bounds asked for
 * @param durationCount tasks that ran
 * @param durationSumSeconds their time in all
 * @param arrived executor services that arrived
 * @param departed executor services that left
 * @param drainSeconds time spent draining services that left
 */
public record TaskMetrics(
        Map<Status, Long> byStatus,
        Map<Rejection, Long> rejected,
        long[] durationBuckets,
        long durationCount,
        double durationSumSeconds,
        long arrived,
        long departed,
        double drainSeconds) {}
