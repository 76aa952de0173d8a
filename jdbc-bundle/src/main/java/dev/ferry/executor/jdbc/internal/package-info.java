/**
 * The {@code jdbc} executor and its datasources. {@code JdbcExecutor} owns a statement's run on a pooled
 * connection (bound parameters, read-only transactions, the session reset); {@code SqlText} reads a text the
 * way its database does, to refuse more than one statement; {@code ManagedDataSource} owns one named pool,
 * {@code WatchedDataSource} its driver's refusals; {@code Rows} encodes results; {@code EmbeddedDefault} writes
 * the H2 datasource a new worker starts with; {@code Jdbcs} builds them for the benchmarks.
 */
package dev.ferry.executor.jdbc.internal;
