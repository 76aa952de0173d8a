/**
 * The executable jar's launcher: {@code Main} reads the command line and the home folder, starts Felix with the
 * worker's bundles and the framework properties of {@code dev.ferry.worker.spi}, prints the ready line, and
 * stops the framework on SIGTERM; {@code Logging} sets up the console and the log file.
 */
package dev.ferry.launcher;
