/**
 * The contract between the Ferry worker and its executor bundles.
 *
 * <p>An executor bundle registers {@link dev.ferry.executor.api.Executor} services (one per task
 * type, identified by the {@value dev.ferry.executor.api.Executor#TYPE} service property). The
 * worker's {@link dev.ferry.executor.api.ExecutorRegistry} tracks them live and is the only way
 * callers run tasks. This package never changes when an executor changes, so updating an executor
 * bundle never refreshes any other bundle.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package dev.ferry.executor.api;
