package dev.ferry.worker.internal.metrics;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The metrics endpoint's configuration, checked: an exception names the key and the fix. */
record MetricsSettings(boolean enabled, InetAddress address, int port, String token) {

    static MetricsSettings from(MetricsConfig c) {
        if (!c.enabled()) {
            return new MetricsSettings(false, null, 0, null);
        }
        String host = c.host().trim();
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("host '" + host + "' is not an address this machine knows; give an IP address,"
                    + " e.g. 127.0.0.1");
        }
        if (c.port() < 0 || c.port() > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + c.port());
        }
        String token = token(c);
        if (token != null && token.length() < 16) {
            throw new IllegalArgumentException("token must be at least 16 characters (it has " + token.length() + ")");
        }
        if (!address.isLoopbackAddress() && token == null) {
            throw new IllegalArgumentException("refusing to serve metrics on " + host + " without a token: anyone who"
                    + " reaches it could read what the worker runs. Set token or token_file in etc/" + MetricsConfig.PID
                    + ".cfg, or listen on 127.0.0.1");
        }
        return new MetricsSettings(true, address, c.port(), token);
    }

    private static String token(MetricsConfig c) {
        String inline = c.token().trim();
        String file = c.token__file().trim();
        if (!inline.isEmpty() && !file.isEmpty()) {
            throw new IllegalArgumentException("both token and token_file are set; keep one");
        }
        if (file.isEmpty()) {
            return inline.isEmpty() ? null : inline;
        }
        try {
            List<String> lines = Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
            String t = lines.isEmpty() ? "" : lines.get(0).trim();
            if (t.isEmpty()) {
                throw new IllegalArgumentException("token_file " + file + " is empty; put the token on its first line");
            }
            return t;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read token_file " + file + " (" + e + "); fix the path or its"
                    + " permissions");
        }
    }
}
