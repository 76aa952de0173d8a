/**
 * The Prometheus endpoint: {@code MetricsEndpoint} serves {@code GET /metrics} on its own bounded threads,
 * {@code Exposition} writes the registry's counters and every {@code MetricFamily} service in the text format.
 */
package dev.ferry.worker.internal.metrics;
