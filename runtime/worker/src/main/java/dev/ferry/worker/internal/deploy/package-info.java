/**
 * The {@code deploy/} folder: {@code DeployWatcher} installs, updates and uninstalls the jars dropped there (one
 * thread of its own), {@code Unresolved} says why a bundle did not resolve.
 */
package dev.ferry.worker.internal.deploy;
