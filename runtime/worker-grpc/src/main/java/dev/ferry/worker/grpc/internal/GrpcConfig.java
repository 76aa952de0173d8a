package dev.ferry.worker.grpc.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

// "__" in a method name is "_" in the key.
@ObjectClassDefinition(
        id = GrpcConfig.PID,
        name = "Ferry gRPC API",
        description = "The worker's gRPC server (ferry.worker.v1.Worker, grpc.health.v1.Health, reflection).")
@interface GrpcConfig {
    String PID = "dev.ferry.grpc";

    @AttributeDefinition(name = "Enabled", description = "Serve the gRPC API at all.")
    boolean enabled() default true;

    @AttributeDefinition(
            name = "Host",
            description = "The address to listen on. Anything but a loopback address needs a token or mutual TLS."
                    + " The launcher's --grpc-host wins over this.")
    String host() default "127.0.0.1";

    @AttributeDefinition(
            name = "Port",
            min = "0",
            max = "65535",
            description = "The TCP port; 0 picks a free one (the ready line says which). The launcher's --grpc-port"
                    + " wins over this.")
    int port() default 50051;

    @AttributeDefinition(
            name = "Bearer token",
            type = AttributeType.PASSWORD,
            required = false,
            description = "When set, every call must send 'authorization: Bearer <token>'. At least 16 characters.")
    String token() default "";

    @AttributeDefinition(
            name = "Bearer token file",
            required = false,
            description = "A file whose first line is the token, instead of token.")
    String token__file() default "";

    @AttributeDefinition(
            name = "TLS certificate chain file",
            required = false,
            description = "PEM certificate chain of the server; with tls_key_file, the server speaks TLS only.")
    String tls__cert__file() default "";

    @AttributeDefinition(name = "TLS private key file", required = false, description = "PEM (PKCS#8) private key.")
    String tls__key__file() default "";

    @AttributeDefinition(
            name = "TLS client CA file",
            required = false,
            description = "PEM certificates of the CAs that sign client certificates; when set, every client must"
                    + " present a certificate they signed (mutual TLS).")
    String tls__client__ca__file() default "";

    @AttributeDefinition(
            name = "Maximum request size (bytes)",
            min = "1024",
            description = "The largest request message accepted; bigger ones fail with RESOURCE_EXHAUSTED.")
    int max__inbound__message__bytes() default 4 * 1024 * 1024;

    @AttributeDefinition(
            name = "Maximum reply size (bytes)",
            min = "1024",
            description =
                    "The largest reply sent. An Execute reply that would be bigger (a large output) is cut to fit,"
                            + " keeping the output's head, and flagged ferry.output_truncated: gRPC clients refuse messages over"
                            + " their own limit (4 MiB by default) and the task's answer would be lost.")
    int max__outbound__message__bytes() default 4 * 1024 * 1024;

    @AttributeDefinition(
            name = "Maximum streamed output (bytes)",
            min = "0",
            description = "The most output one ExecuteStream call sends (all channels together); the rest is dropped"
                    + " and the final message says ferry.stream_truncated. The worker never holds a stream whole, so"
                    + " this may be far above max_outbound_message_bytes.")
    long max__stream__bytes() default 1L << 30;

    @AttributeDefinition(name = "Maximum request metadata size (bytes)", min = "1024")
    int max__inbound__metadata__bytes() default 8 * 1024;

    @AttributeDefinition(name = "Maximum concurrent calls per connection", min = "1")
    int max__concurrent__calls__per__connection() default 1000;

    @AttributeDefinition(
            name = "Request threads",
            min = "1",
            description = "Threads that take Execute calls in: each reads the request and hands the task to the"
                    + " registry, which runs it on its own threads and parks it (holding no thread) while it waits"
                    + " for a slot or an executor update. Health, reflection, Validate and Capabilities have four"
                    + " threads of their own.")
    int threads() default 8;

    @AttributeDefinition(
            name = "Most request threads (retired)",
            min = "0",
            description = "No longer used: an Execute call holds no thread while its task waits. Accepted so that an"
                    + " older file still starts, with a warning; remove it.")
    int max__threads() default 0;

    @AttributeDefinition(
            name = "Health refresh (seconds)",
            min = "1",
            description = "How often the grpc.health.v1 entries ask each executor for its health. Installs and"
                    + " uninstalls show at once.")
    int health__refresh__seconds() default 5;

    @AttributeDefinition(
            name = "Most connection age (seconds)",
            min = "0",
            description = "A client connection older than this is asked to go (GOAWAY) and reconnects, resolving its"
                    + " target again: so long-lived clients spread onto workers added since. Its calls finish first"
                    + " (see max_connection_age_grace_seconds). 0: connections never age out.")
    int max__connection__age__seconds() default 300;

    @AttributeDefinition(
            name = "Connection age grace (seconds)",
            min = "0",
            description = "How long the calls of an aged-out connection may still run; 0: as long as they take (a"
                    + " task is never cut for its connection's age).")
    int max__connection__age__grace__seconds() default 0;

    @AttributeDefinition(
            name = "Shutdown grace (milliseconds)",
            min = "0",
            description = "On stop (SIGTERM), how long the worker reports NOT_SERVING on every health entry while it"
                    + " still takes calls, so that clients that poll health see it before the worker asks them to go"
                    + " (GOAWAY).")
    int shutdown__grace__ms() default 1000;

    @AttributeDefinition(
            name = "Shutdown timeout (seconds)",
            min = "0",
            description = "On stop, after GOAWAY, how long the calls that run may take to finish before they are"
                    + " cut. Give the service manager (systemd's TimeoutStopSec, Kubernetes'"
                    + " terminationGracePeriodSeconds) more than shutdown_grace_ms and this together.")
    int shutdown__timeout__seconds() default 30;

    @AttributeDefinition(
            name = "Task id window (seconds)",
            min = "0",
            description = "How long a task id a caller gave is remembered after its task ended: the same id again"
                    + " within it gets the first run's outcome and never runs twice. 0: forgotten when it ends (a"
                    + " running task's id is always held).")
    int task__id__window__seconds() default 600;

    @AttributeDefinition(
            name = "Task ids kept",
            min = "0",
            description = "The most ended task ids remembered at once; the oldest leave first.")
    int task__id__window__size() default 10000;

    @AttributeDefinition(
            name = "Health without the token",
            description = "Let grpc.health.v1 calls (Check, Watch) in without the bearer token, for probes that cannot"
                    + " send one (Kubernetes' grpc probes). They learn which types are served and whether they are"
                    + " healthy, nothing else; every other call still needs the token.")
    boolean health__without__token() default false;
}
