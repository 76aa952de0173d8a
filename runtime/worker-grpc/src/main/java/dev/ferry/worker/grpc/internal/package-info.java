/**
 * The gRPC API ({@code ferry.worker.v1.Worker}, {@code grpc.health.v1.Health}, reflection). {@code GrpcServer}
 * owns the server, its event loops and threads (started and stopped with the component); {@code WorkerService}
 * and {@code StreamCall} turn calls into registry tasks; {@code HealthEntries} keeps one health entry per type;
 * {@code BearerToken} and {@code Caller} authenticate; {@code Limits} and {@code Errors} check requests and map
 * outcomes to codes; {@code CallCounter} is its metric family.
 */
package dev.ferry.worker.grpc.internal;
