package dev.ferry.executor.http.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** An address range, IPv4 or IPv6. */
final class Cidr {
    final String text;
    private final byte[] network;
    private final int prefix;

    private Cidr(String text, byte[] network, int prefix) {
        this.text = text;
        this.network = network;
        this.prefix = prefix;
    }

    static Cidr parse(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        byte[] bytes = literal(addr);
        if (bytes == null) {
            throw new IllegalArgumentException("'" + text + "' is not a CIDR like 10.0.0.0/8 or fd00::/8");
        }
        int prefix;
        try {
            prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(t.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has a bad prefix length");
        }
        if (prefix < 0 || prefix > bytes.length * 8) {
            throw new IllegalArgumentException("'" + text + "': the prefix must be 0.." + bytes.length * 8);
        }
        return new Cidr(t, bytes, prefix);
    }

    boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (a[full] & mask) == (network[full] & mask);
    }

    /** Bytes of an IP literal (never a DNS lookup), or null. */
    static byte[] literal(String s) {
        if (s.isEmpty()) {
            return null;
        }
        if (s.indexOf(':') >= 0) {
            String bare = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
            if (!bare.matches("[0-9A-Fa-f:.%a-zA-Z0-9]+")) {
                return null;
            }
            try {
                return InetAddress.getByName(bare).getAddress(); // a literal: no lookup happens
            } catch (UnknownHostException e) {
                return null;
            }
        }
        return s.matches("[0-9.]+") && s.split("\\.", -1).length == 4 ? ipv4(s) : null;
    }

    private static byte[] ipv4(String s) {
        String[] parts = s.split("\\.", -1);
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (parts[i].isEmpty() || parts[i].length() > 3) {
                return null;
            }
            int v = Integer.parseInt(parts[i]);
            if (v > 255) {
                return null;
            }
            b[i] = (byte) v;
        }
        return b;
    }

    @Override
    public String toString() {
        return text + " " + Arrays.toString(network);
    }
}
