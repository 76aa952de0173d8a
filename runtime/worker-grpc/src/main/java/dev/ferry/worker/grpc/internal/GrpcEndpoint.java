package dev.ferry.worker.grpc.internal;

/**
 * Registered while the gRPC component is active; its properties say where it serves
 * ({@code ferry.grpc.address}) or why it does not ({@code ferry.grpc.failure}).
 */
public final class GrpcEndpoint {}
