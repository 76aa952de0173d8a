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
 * <p>The addresses judged are the JDK's own answer for the host text the HTTP client is given
 * ({@link InetAddress#getAllByName}), never a second parser's: the client connects through the same
 * call and the JDK's address cache, so what was judged is what is connected to. An IPv4 address
 * written in a spelling that resolvers read differently — leading zeros ({@code 0127.0.0.2}: octal
 * to some, decimal to the JDK), hex parts, fewer than four parts, a trailing dot — is refused
 * outright, whatever the lists say: it has no single meaning to judge.
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
        String ambiguous = ambiguousIpv4(host);
        if (ambiguous != null) {
            return ambiguous;
        }
        List<InetAddress> addresses = resolve(host);
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
        return allInAllowedNetworks
                ? null
                : "host " + host + " is not in allow_hosts " + allowHosts + " nor allow_cidrs "
                        + allowCidrs.stream().map(c -> c.text).toList();
    }

    /**
     * The addresses the HTTP client connects to for this host: the JDK's answer for the very text the
     * client is given (a URI's host, brackets and all), which the client then takes from the JDK's
     * address cache.
     */
    static List<InetAddress> resolve(String host) throws Unresolvable {
        try {
            return List.of(InetAddress.getAllByName(host));
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
     * Why a host that reads as an IPv4 number (every dot-separated part a decimal, 0-octal or 0x-hex
     * number, as inet_aton takes them) but is not plain dotted decimal — four parts, each 0 to 255,
     * no leading zeros — is refused; null for dotted decimal and for every other host.
     */
    static String ambiguousIpv4(String host) {
        // by hand, no regular expression: this runs for every request and every redirect
        int n = host.length();
        int parts = 0;
        boolean plain = true;
        int i = 0;
        while (i <= n) {
            int end = host.indexOf('.', i);
            if (end < 0) {
                end = n;
            }
            parts++;
            int len = end - i;
            if (len == 0) {
                if (end != n || parts == 1) {
                    return null; // "1..2" or ".1": not a number, a name (the resolver says no)
                }
                plain = false; // a trailing dot
            } else if (len >= 2 && host.charAt(i) == '0' && (host.charAt(i + 1) == 'x' || host.charAt(i + 1) == 'X')) {
                for (int k = i + 2; k < end; k++) {
                    if (Character.digit(host.charAt(k), 16) < 0) {
                        return null;
                    }
                }
                plain = false; // hex
            } else {
                int value = 0;
                for (int k = i; k < end; k++) {
                    char c = host.charAt(k);
                    if (c < '0' || c > '9') {
                        return null; // a letter: a name
                    }
                    value = value * 10 + (c - '0');
                    if (value > 255 || len > 3) {
                        value = 256;
                    }
                }
                if (value > 255 || (len > 1 && host.charAt(i) == '0')) {
                    plain = false; // too large for a part, or a leading zero (octal to some)
                }
            }
            i = end + 1;
        }
        if (plain && parts == 4) {
            return null;
        }
        return "host " + host + " is an IPv4 address in a spelling that resolvers read differently (leading zeros,"
                + " hex, fewer than four parts or a trailing dot): write it as four decimal numbers, such as 10.0.0.1";
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
