package dev.ferry.worker.grpc.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.function.Function;

/** The gRPC server's configuration, checked: a value that cannot work stops the server with a reason. */
final class Settings {
    static final String HOST_PROPERTY = dev.ferry.worker.spi.FrameworkProperties.GRPC_HOST;
    static final String PORT_PROPERTY = dev.ferry.worker.spi.FrameworkProperties.GRPC_PORT;

    final boolean enabled;
    final String host;
    final InetAddress address;
    final int port;
    /** the bearer token, or null when none is required */
    final String token;

    final Path certFile;
    final Path keyFile;
    final Path clientCaFile;
    final int maxInboundMessageBytes;
    final int maxOutboundMessageBytes;
    final long maxStreamBytes;
    final int maxInboundMetadataBytes;
    final int maxConcurrentCallsPerConnection;
    final int threads;
    /** What the configuration names that is no longer used, for a warning; null when nothing. */
    final String retired;

    final int healthRefreshSeconds;
    /** 0: never */
    final int maxConnectionAgeSeconds;
    /** 0: as long as the calls take */
    final int maxConnectionAgeGraceSeconds;

    final int shutdownGraceMs;
    final int shutdownTimeoutSeconds;
    final int taskIdWindowSeconds;
    final int taskIdWindowSize;
    final boolean healthWithoutToken;

    private Settings(GrpcConfig c, Function<String, String> frameworkProperty) {
        enabled = c.enabled();
        String h = frameworkProperty.apply(HOST_PROPERTY);
        host = (h != null && !h.isBlank() ? h : c.host()).trim();
        String p = frameworkProperty.apply(PORT_PROPERTY);
        port = p != null && !p.isBlank() ? parsePort(p.trim(), "--grpc-port") : checkPort(c.port(), "port");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host is empty; give an address to listen on, e.g. 127.0.0.1");
        }
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("host '" + host + "' is not an address this machine knows; give an IP"
                    + " address or a name that resolves, e.g. 127.0.0.1");
        }
        token = token(c);
        certFile = file(c.tls__cert__file(), "tls_cert_file");
        keyFile = file(c.tls__key__file(), "tls_key_file");
        clientCaFile = file(c.tls__client__ca__file(), "tls_client_ca_file");
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("TLS needs both tls_cert_file and tls_key_file; "
                    + (certFile == null ? "tls_cert_file" : "tls_key_file") + " is missing");
        }
        if (clientCaFile != null && certFile == null) {
            throw new IllegalArgumentException(
                    "tls_client_ca_file (mutual TLS) needs the server's own tls_cert_file" + " and tls_key_file too");
        }
        if (!address.isLoopbackAddress() && token == null && clientCaFile == null) {
            throw new IllegalArgumentException("refusing to listen on " + host + " without authentication: anyone"
                    + " who reaches it could run tasks. Set a token (token or token_file in etc/" + GrpcConfig.PID
                    + ".cfg) or mutual TLS (tls_cert_file, tls_key_file and tls_client_ca_file), or listen on"
                    + " 127.0.0.1");
        }
        maxInboundMessageBytes = atLeast(c.max__inbound__message__bytes(), 1024, "max_inbound_message_bytes");
        maxOutboundMessageBytes = atLeast(c.max__outbound__message__bytes(), 1024, "max_outbound_message_bytes");
        if (c.max__stream__bytes() < 0) {
            throw new IllegalArgumentException(
                    "max_stream_bytes must be >= 0 (0 streams no output, only the outcome), got "
                            + c.max__stream__bytes());
        }
        maxStreamBytes = c.max__stream__bytes();
        maxInboundMetadataBytes = atLeast(c.max__inbound__metadata__bytes(), 1024, "max_inbound_metadata_bytes");
        maxConcurrentCallsPerConnection =
                atLeast(c.max__concurrent__calls__per__connection(), 1, "max_concurrent_calls_per_connection");
        threads = atLeast(c.threads(), 1, "threads");
        retired = c.max__threads() != 0
                ? "max_threads in etc/" + GrpcConfig.PID + ".cfg is no longer used (an Execute"
                        + " call holds no thread while its task waits; the pool is 'threads'): remove it"
                : null;
        healthRefreshSeconds = atLeast(c.health__refresh__seconds(), 1, "health_refresh_seconds");
        maxConnectionAgeSeconds = atLeast(c.max__connection__age__seconds(), 0, "max_connection_age_seconds");
        maxConnectionAgeGraceSeconds =
                atLeast(c.max__connection__age__grace__seconds(), 0, "max_connection_age_grace_seconds");
        shutdownGraceMs = atLeast(c.shutdown__grace__ms(), 0, "shutdown_grace_ms");
        shutdownTimeoutSeconds = atLeast(c.shutdown__timeout__seconds(), 0, "shutdown_timeout_seconds");
        taskIdWindowSeconds = atLeast(c.task__id__window__seconds(), 0, "task_id_window_seconds");
        taskIdWindowSize = atLeast(c.task__id__window__size(), 0, "task_id_window_size");
        healthWithoutToken = c.health__without__token();
    }

    static Settings of(GrpcConfig config, Function<String, String> frameworkProperty) {
        return new Settings(config, frameworkProperty);
    }

    boolean tls() {
        return certFile != null;
    }

    boolean mutualTls() {
        return clientCaFile != null;
    }

    /** A token sent over plain TCP beyond this machine can be read on the way. */
    boolean tokenInClearBeyondLoopback() {
        return token != null && !tls() && !address.isLoopbackAddress();
    }

    private static String token(GrpcConfig c) {
        return dev.ferry.support.Tokens.read(c.token(), c.token__file());
    }

    private static Path file(String value, String key) {
        if (value == null || value.isBlank()) {
            return null;
        }
        Path p = Paths.get(value.trim());
        if (!Files.isReadable(p) || Files.isDirectory(p)) {
            throw new IllegalArgumentException(
                    key + " " + p + " is not a readable file; fix the path or its permissions");
        }
        return p;
    }

    private static int parsePort(String value, String what) {
        try {
            return checkPort(Integer.parseInt(value), what);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " '" + value + "' is not a number; give a port from 0 to 65535");
        }
    }

    private static int checkPort(int port, String what) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(
                    what + " " + port + " is out of range; give a port from 0 (any free" + " port) to 65535");
        }
        return port;
    }

    private static int atLeast(int value, int min, String key) {
        if (value < min) {
            throw new IllegalArgumentException(key + " is " + value + "; it must be at least " + min);
        }
        return value;
    }
}
