/**
 * The {@code executor:*} Gogo commands: {@code ExecutorCommands} asks the registry and the config bridge and
 * renders what they answer; {@code Follow} streams a task's output to the terminal.
 */
package dev.ferry.worker.internal.shell;
