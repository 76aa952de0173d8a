/**
 * The worker's own contracts between its bundles and whoever starts the framework (the launcher,
 * Karaf's {@code etc/config.properties}): the names of framework and service properties, and the metric
 * families other bundles add to the worker's metrics endpoint. Executor bundles never import it (they
 * import the executor API only).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.ferry.worker.spi;
