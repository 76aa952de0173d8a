package dev.ferry.client;

/**
 * A worker's verdict on a payload ({@link FerryClient#validate}).
 *
 * @param valid whether the task would be taken
 * @param error why not, naming the field; empty when valid
 * @param worker the worker that answered
 */
public record Validation(boolean valid, String error, String worker) {}
