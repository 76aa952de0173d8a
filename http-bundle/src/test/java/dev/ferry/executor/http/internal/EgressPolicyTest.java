package dev.ferry.executor.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EgressPolicyTest {
    @Test
    void ipv4InAnySpellingButPlainDottedDecimalIsRefused() {
        for (String s : new String[] {
            "0127.0.0.2",
            "127.0.0.010",
            "169.0254.169.254",
            "2852039166",
            "0xa9fea9fe",
            "0251.0376.0251.0376",
            "169.254.43518",
            "169.16689662",
            "0xa9.0xfe.0xa9.0xfe",
            "127.1",
            "0",
            "127.0.0.1.",
            "127.000.000.001",
            "1.2.3.04",
            "256.1.1.1",
            "1.2.3.4.5"
        }) {
            assertThat(EgressPolicy.ambiguousIpv4(s)).as(s).isNotNull().contains("write it as four decimal numbers");
        }
        for (String s : new String[] {
            "127.0.0.2",
            "0.0.0.0",
            "10.20.30.255",
            "example.com",
            "0day.example",
            "1a.be",
            "localhost",
            "[::1]",
            "[::ffff:127.0.0.1]",
            "1..2"
        }) {
            assertThat(EgressPolicy.ambiguousIpv4(s)).as(s).isNull();
        }
    }

    /**
     * The check against the readers that matter, on generated spellings: the JDK (which the HTTP client
     * connects through) and the C library's inet_aton (which curl, Python and most other clients use). A
     * spelling the policy lets through is read by both as the same address, or by neither as a number;
     * any spelling the two read differently is refused.
     */
    @Test
    void whatThePolicyLetsThroughTheJdkAndInetAtonReadAlike() throws Exception {
        Random random = new Random(20261202);
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            hosts.add(spelling(random));
        }
        Map<String, String> libc = inetAton(hosts);
        int letThrough = 0;
        int refusedDisagreeing = 0;
        int refusedAsked = 0;
        for (String host : hosts) {
            String c = libc.get(host);
            if (EgressPolicy.ambiguousIpv4(host) == null) {
                letThrough++;
                assertThat(jdk(host))
                        .as("JDK's reading of " + host + " (let through)")
                        .isEqualTo(c);
            } else if (refusedAsked < 40) {
                // a refused spelling that the JDK does not take as a literal goes to the system resolver (slow
                // here): a sample is enough to show the generator makes spellings the two readers disagree on
                refusedAsked++;
                refusedDisagreeing += java.util.Objects.equals(jdk(host), c) ? 0 : 1;
            }
        }
        // the generator reaches both sides of the rule
        assertThat(letThrough).isGreaterThan(100);
        assertThat(refusedDisagreeing).isGreaterThan(5);
    }

    /** One IPv4-like spelling: 1 to 4 parts, each decimal, zero-padded, octal or hex, sometimes a trailing dot. */
    private static String spelling(Random r) {
        int parts = r.nextInt(10) < 6 ? 4 : 1 + r.nextInt(4);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < parts; i++) {
            if (i > 0) {
                b.append('.');
            }
            long max = i == parts - 1 ? (1L << (8 * (4 - i))) - 1 : 255;
            long v = r.nextInt(4) == 0 ? r.nextInt(300) : (long) (r.nextDouble() * Math.min(max, 1L << 32));
            switch (r.nextInt(6)) {
                case 0 -> b.append("0").append(Long.toOctalString(v));
                case 1 -> b.append("0x").append(Long.toHexString(v));
                case 2 -> b.append("00").append(v);
                default -> b.append(v);
            }
        }
        if (r.nextInt(20) == 0) {
            b.append('.');
        }
        return b.toString();
    }

    private static String jdk(String host) {
        try {
            InetAddress[] all = InetAddress.getAllByName(host);
            return all.length == 1 ? all[0].getHostAddress() : null;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** The C library's inet_aton for each host (Python's socket.inet_aton calls it), null where it says no. */
    private static Map<String, String> inetAton(List<String> hosts) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("python3", "-c", """
                import socket, sys
                for line in sys.stdin:
                    h = line.rstrip('\\n')
                    try:
                        print(h, socket.inet_ntoa(socket.inet_aton(h)))
                    except OSError:
                        print(h, '-')
                """)
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().write((String.join("\n", hosts) + "\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        Map<String, String> m = new HashMap<>();
        for (String line : out.split("\n")) {
            String[] kv = line.split(" ");
            m.put(kv[0], kv[1].equals("-") ? null : kv[1]);
        }
        assertThat(m).hasSize(new java.util.HashSet<>(hosts).size());
        return m;
    }

    @Test
    void cidrsContainTheirAddresses() throws Exception {
        Cidr c = Cidr.parse("10.1.0.0/16");
        assertThat(c.contains(java.net.InetAddress.getByName("10.1.200.3"))).isTrue();
        assertThat(c.contains(java.net.InetAddress.getByName("10.2.0.1"))).isFalse();
        assertThat(Cidr.parse("fd00:ec2::254/128").contains(java.net.InetAddress.getByName("fd00:ec2::254")))
                .isTrue();
        assertThat(Cidr.parse("fe80::/10").contains(java.net.InetAddress.getByName("febf::1")))
                .isTrue();
        assertThat(Cidr.parse("0.0.0.0/0").contains(java.net.InetAddress.getByName("::1")))
                .isFalse();
    }
}
