package dev.ferry.executor.http.internal;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where requests may go, decided on the addresses a host resolves to (every one of them), so a
 * DNS name pointing at a denied address is denied, and re-decided on every redirect.
 *
 * <p>Hosts written as numbers in any spelling that some resolver accepts — {@code 2852039166},
 * {@code 0xa9fea9fe}, {@code 0251.0376.0251.0376}, {@code 169.254.43518}, IPv4-mapped or -compatible
 * IPv6, NAT64 — are read as the address they spell and checked as that address, whatever this
 * JVM's resolver would make of them.
 */
final class EgressPolicy {
    private static final BigInteger NAT64 = new BigInteger("0064ff9b000000000000000000000000", 16);

    private final List<String> allowHosts;
    private final List<Cidr> allowCidrs;
    private final List<String> denyHosts;
    private final List<Cidr> denyCidrs;

    EgressPolicy(List<String> allowHosts, List<String> allowCidrs, List<String> denyHosts, List<String> denyCidrs) {
        this.allowHosts = hosts(allowHosts);
        this.allowCidrs = cidrs(allowCidrs);
        this.denyHosts = hosts(denyHosts);
        this.denyCidrs = cidrs(denyCidrs);
    }

    /** Thrown when a host cannot be resolved: a connection failure, not a policy denial. */
    static final class Unresolvable extends Exception {
        private static final long serialVersionUID = 1L;

        Unresolvable(String message) {
            super(message);
        }
    }

    /**
     * Resolves the host and checks it.
     *
     * @return null when the request may go, else why not
     */
    String check(String host) throws Unresolvable {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        for (String d : denyHosts) {
            if (matches(d, h)) {
                return "host " + host + " is denied by deny_hosts entry '" + d + "'";
            }
        }
        List<InetAddress> addresses = resolve(h);
        for (InetAddress a : addresses) {
            for (InetAddress view : views(a)) {
                for (Cidr c : denyCidrs) {
                    if (c.contains(view)) {
                        return "host " + host + " resolves to " + a.getHostAddress() + ", in denied network " + c.text
                                + " (deny_cidrs)";
                    }
                }
            }
        }
        if (allowHosts.isEmpty() && allowCidrs.isEmpty()) {
            return null;
        }
        for (String allowed : allowHosts) {
            if (matches(allowed, h)) {
                return null;
            }
        }
        boolean allInAllowedNetworks = !allowCidrs.isEmpty()
                && addresses.stream().allMatch(a -> allowCidrs.stream().anyMatch(c -> c.contains(a)));
        return allInAllowedNetworks ? null
                : "host " + host + " is not in allow_hosts " + allowHosts + " nor allow_cidrs "
                        + allowCidrs.stream().map(c -> c.text).toList();
    }

    /** The addresses to check: the host's, read as a number in any spelling first. */
    static List<InetAddress> resolve(String host) throws Unresolvable {
        byte[] numeric = numericHost(host);
        try {
            if (numeric != null) {
                return List.of(InetAddress.getByAddress(host, numeric));
            }
            String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            return List.of(InetAddress.getAllByName(bare));
        } catch (UnknownHostException e) {
            throw new Unresolvable("cannot resolve host " + host + ": " + e.getMessage());
        }
    }

    /** An address and any IPv4 address embedded in it (mapped, compatible, NAT64). */
    static List<InetAddress> views(InetAddress a) {
        List<InetAddress> out = new ArrayList<>(2);
        out.add(a);
        if (a instanceof Inet6Address) {
            byte[] b = a.getAddress();
            boolean zeros80 = true;
            for (int i = 0; i < 10; i++) {
                zeros80 &= b[i] == 0;
            }
            boolean mapped = zeros80 && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
            boolean compatible = zeros80 && b[10] == 0 && b[11] == 0;
            boolean nat64 = new BigInteger(1, b).shiftRight(32).shiftLeft(32).equals(NAT64);
            if (mapped || compatible || nat64) {
                try {
                    out.add(Inet4Address.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return out;
    }

    /**
     * Reads an IPv4 host in the inet_aton spellings (1 to 4 parts, each decimal, 0-octal or 0x-hex),
     * or null when the host is not such a number.
     */
    static byte[] numericHost(String host) {
        if (host.isEmpty() || !Character.isDigit(host.charAt(0))) {
            return null;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (!(c == '.' || c == 'x' || c == 'X' || Character.digit(c, 16) >= 0)) {
                return null;
            }
        }
        String[] parts = host.split("\\.", -1);
        if (parts.length > 4) {
            return null;
        }
        long[] v = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].toLowerCase(Locale.ROOT);
            try {
                if (p.startsWith("0x")) {
                    v[i] = p.length() == 2 ? 0 : Long.parseLong(p.substring(2), 16);
                } else if (p.length() > 1 && p.startsWith("0")) {
                    v[i] = Long.parseLong(p.substring(1), 8);
                } else {
                    v[i] = Long.parseLong(p);
                }
            } catch (NumberFormatException e) {
                return null; // letters: a host name such as 0day.example
            }
        }
        long value = 0;
        int n = parts.length;
        for (int i = 0; i < n - 1; i++) {
            if (v[i] > 255) {
                return null;
            }
            value = value << 8 | v[i];
        }
        int lastBits = 8 * (4 - (n - 1));
        if (v[n - 1] >= 1L << lastBits) {
            return null;
        }
        value = value << lastBits | v[n - 1];
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }

    private static boolean matches(String pattern, String host) {
        if (pattern.startsWith("*.")) {
            String domain = pattern.substring(1);
            return host.endsWith(domain) || host.equals(pattern.substring(2));
        }
        return host.equals(pattern);
    }

    private static List<String> hosts(List<String> in) {
        List<String> out = new ArrayList<>();
        for (String h : in) {
            String t = h.trim().toLowerCase(Locale.ROOT);
            if (!t.isEmpty()) {
                out.add(t.endsWith(".") ? t.substring(0, t.length() - 1) : t);
            }
        }
        return List.copyOf(out);
    }

    private static List<Cidr> cidrs(List<String> in) {
        List<Cidr> out = new ArrayList<>();
        for (String c : in) {
            if (!c.isBlank()) {
                out.add(Cidr.parse(c));
            }
        }
        return List.copyOf(out);
    }
}
