package dev.ferry.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The workers a target names, for the calls that ask each one ({@code ferry types}, {@code ferry health}): what
 * gRPC's resolvers find for it — a DNS name's every address (as the dns resolver does, through the JDK), a worker
 * file's lines — or, for any other scheme, the target itself (one worker, as the balancer picks).
 */
final class Targets {
    static final int DEFAULT_PORT = 50051;

    private Targets() {}

    /** @return the workers' addresses, or an empty list when the target is of a scheme only gRPC resolves */
    static List<InetSocketAddress> workers(String target) throws IOException {
        URI uri = uri(target);
        if (uri != null && FileTargets.SCHEME.equals(uri.getScheme())) {
            return FileTargets.read(Path.of(uri.getPath()), DEFAULT_PORT);
        }
        String authority;
        if (uri != null && "dns".equals(uri.getScheme())) {
            String path = uri.getPath();
            authority = path.startsWith("/") ? path.substring(1) : path;
        } else if (uri == null || uri.getScheme() == null || uri.getScheme().indexOf('.') >= 0 || isPortOnly(uri)) {
            authority = target; // host:port without a scheme: gRPC's default scheme, dns
        } else {
            return List.of();
        }
        InetSocketAddress named = hostPort(authority, DEFAULT_PORT, "target " + target);
        List<InetSocketAddress> out = new ArrayList<>();
        try {
            for (InetAddress a : InetAddress.getAllByName(named.getHostString())) {
                out.add(new InetSocketAddress(a, named.getPort()));
            }
        } catch (UnknownHostException e) {
            throw new IOException("the target's host '" + named.getHostString() + "' does not resolve", e);
        }
        return out;
    }

    private static boolean isPortOnly(URI uri) {
        // "localhost:50051" parses as scheme "localhost"
        return uri.getSchemeSpecificPart() != null
                && uri.getSchemeSpecificPart().matches("\\d+");
    }

    private static URI uri(String target) {
        try {
            return new URI(target);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /**
     * {@code host:port}, {@code [v6]:port} or {@code host} (the default port), unresolved.
     *
     * @throws IllegalArgumentException naming {@code where} when it is not one of these
     */
    static InetSocketAddress hostPort(String s, int defaultPort, String where) {
        String host = s;
        int port = defaultPort;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException(where + ": '" + s + "' opens '[' without ']'");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException(where + ": '" + s + "' must be [address]:port");
                }
                port = port(rest.substring(1), s, where);
            }
        } else if (s.indexOf(':') >= 0) {
            int colon = s.lastIndexOf(':');
            if (s.indexOf(':') != colon) {
                throw new IllegalArgumentException(
                        where + ": '" + s + "' looks like an IPv6 address; write it as [" + s + "] or [address]:port");
            }
            host = s.substring(0, colon);
            port = port(s.substring(colon + 1), s, where);
        }
        if (host.isBlank()) {
            throw new IllegalArgumentException(where + ": '" + s + "' names no host");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    private static int port(String p, String s, String where) {
        try {
            int port = Integer.parseInt(p);
            if (port > 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(where + ": '" + s + "' has no valid port (1 to 65535)");
    }
}
