package dev.ferry.worker.grpc.internal;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Lets a call through only with {@code authorization: Bearer <token>}. The comparison is of
 * SHA-256 digests with {@link MessageDigest#isEqual}, so its time says nothing about the token.
 */
final class BearerToken implements ServerInterceptor {
    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String PREFIX = "Bearer ";

    private static final String HEALTH = io.grpc.health.v1.HealthGrpc.SERVICE_NAME;

    private final byte[] expected;
    private final boolean healthOpen;

    BearerToken(String token) {
        this(token, false);
    }

    /** @param healthOpen let grpc.health.v1 calls in without the token (probes that cannot send one) */
    BearerToken(String token, boolean healthOpen) {
        this.expected = digest(token);
        this.healthOpen = healthOpen;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        String problem = check(headers.get(AUTHORIZATION));
        if (problem == null
                || (healthOpen && HEALTH.equals(call.getMethodDescriptor().getServiceName()))) {
            return next.startCall(call, headers);
        }
        call.close(
                Status.UNAUTHENTICATED.withDescription(problem),
                Errors.trailers(dev.ferry.worker.grpc.v1.WorkerMetadata.REFUSED_UNAUTHENTICATED));
        return new ServerCall.Listener<Q>() {};
    }

    /** @return null when the header carries the token, else what is wrong */
    String check(String header) {
        if (header == null) {
            return "this worker requires a bearer token: send the header 'authorization: Bearer <token>'";
        }
        if (header.length() <= PREFIX.length() || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return "the authorization header must be 'Bearer <token>'";
        }
        byte[] given = digest(header.substring(PREFIX.length()).trim());
        return MessageDigest.isEqual(given, expected) ? null : "the bearer token is wrong";
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
