package dev.ferry.worker.internal.metrics;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

// "__" in a method name is "_" in the key.
@ObjectClassDefinition(
        id = MetricsConfig.PID,
        name = "Ferry metrics",
        description = "A Prometheus endpoint (GET /metrics, text format 0.0.4) on a port of its own: tasks, latency,"
                + " rejections, executor swaps, gRPC calls, JVM basics.")
@interface MetricsConfig {
    String PID = "dev.ferry.metrics";

    @AttributeDefinition(name = "Enabled", description = "Serve the metrics endpoint at all.")
    boolean enabled() default true;

    @AttributeDefinition(
            name = "Host",
            description = "The address to listen on. Anything but a loopback address needs a token.")
    String host() default "127.0.0.1";

    @AttributeDefinition(
            name = "Port",
            min = "0",
            max = "65535",
            description = "The TCP port; 0 picks a free one (the log says which).")
    int port() default 9464;

    @AttributeDefinition(
            name = "Bearer token",
            type = AttributeType.PASSWORD,
            required = false,
            description = "When set, a scrape must send 'Authorization: Bearer <token>' (Prometheus: authorization:"
                    + " credentials). At least 16 characters.")
    String token() default "";

    @AttributeDefinition(
            name = "Bearer token file",
            required = false,
            description = "A file whose first line is the token, instead of token.")
    String token__file() default "";
}
