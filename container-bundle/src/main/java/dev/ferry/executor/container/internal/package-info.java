/**
 * The {@code container} executor. {@code ContainerExecutor} owns a task's container from create to removal
 * (always removed, also after a crash: the next start removes what an earlier run left); {@code Engine} is the
 * Docker Engine API over its unix socket, every call with a deadline; {@code ContainerSettings} and
 * {@code ContainerPayload} are the checked configuration and payload; {@code Containers} builds it for the
 * benchmarks.
 */
package dev.ferry.executor.container.internal;
