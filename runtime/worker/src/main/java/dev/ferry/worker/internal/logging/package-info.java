/**
 * Log levels of the standalone worker ({@code dev.ferry.logging}): {@code LogLevels} sets java.util.logging's
 * levels from its configuration.
 */
package dev.ferry.worker.internal.logging;
