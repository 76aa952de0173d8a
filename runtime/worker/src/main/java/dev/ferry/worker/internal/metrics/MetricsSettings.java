package dev.ferry.worker.internal.metrics;

import java.net.InetAddress;
import java.net.UnknownHostException;

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
            throw new IllegalArgumentException("host '" + host
                    + "' is not an address this machine knows; give an IP address," + " e.g. 127.0.0.1");
        }
        if (c.port() < 0 || c.port() > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + c.port());
        }
        String token = dev.ferry.support.Tokens.read(c.token(), c.token__file());
        if (!address.isLoopbackAddress() && token == null) {
            throw new IllegalArgumentException("refusing to serve metrics on " + host + " without a token: anyone who"
                    + " reaches it could read what the worker runs. Set token or token_file in etc/" + MetricsConfig.PID
                    + ".cfg, or listen on 127.0.0.1");
        }
        return new MetricsSettings(true, address, c.port(), token);
    }
}
