/** Fixtures for tests inside a real framework: refreshing bundles and waiting for it to finish. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.ferry.testing.osgi;
