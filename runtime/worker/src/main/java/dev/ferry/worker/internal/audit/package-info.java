/**
 * The audit trail: {@code AuditTrail} is told of every answered task (a {@code TaskObserver}) and writes one JSON
 * line for each from its own thread, secrets masked, into a {@code RotatingFile}.
 */
package dev.ferry.worker.internal.audit;
