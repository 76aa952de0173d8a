/**
 * The {@code command} executor. {@code CommandExecutor} owns the task's run (resolve the program by its
 * {@code ProgramPolicy} and {@code ProgramResolver}, start it, feed stdin, read both streams through {@code Capture},
 * kill the whole tree through {@code ProcessTree}); {@code Isolation} and {@code Sandbox} decide how it starts
 * (a PID namespace, bubblewrap); {@code Leftovers} and {@code MarkerSweep} own the watch for what a task left
 * behind. Its threads (the stream readers) come from {@code Threads}, owned by the executor and stopped with it.
 */
package dev.ferry.executor.command.internal;
