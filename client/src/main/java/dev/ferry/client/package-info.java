/**
 * Calls Ferry workers: {@link dev.ferry.client.FerryClient}. Every answer a worker gave is a
 * {@link dev.ferry.client.TaskResult}; {@link dev.ferry.client.NoWorkerException} only when no worker could be asked.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.ferry.client;
