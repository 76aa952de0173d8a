package dev.ferry.worker.internal.metrics;

import dev.ferry.support.Configs;
import dev.ferry.support.Configured;
import dev.ferry.worker.internal.registry.RegistryView;
import dev.ferry.worker.spi.MetricFamily;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Prometheus endpoint: {@code GET /metrics} on a port of its own. A few lines of HTTP/1.1 over a server
 * socket rather than the JDK's {@code com.sun.net.httpserver}, which Karaf does not export to bundles; every
 * number is read when scraped, so serving costs tasks nothing.
 *
 * <p>Other bundles add families through the whiteboard: a {@link MetricFamily} service (the gRPC API publishes
 * its calls so).
 *
 * <p>Why not the OSGi HTTP Whiteboard: Felix HTTP with Jetty 12 is 4.3 MB of bundles (its Jetty bundle 3.6 MB and
 * the servlet API 0.7 MB) for one GET, and a Jetty server alone took 250 ms to listen on this project's 2-core
 * machine against 13 ms for a server socket (median of 5), a quarter of the worker's start. So it is a few
 * bounded lines instead: {@value #THREADS} threads, {@value #WAITING} connections waiting, beyond that closed
 * at once; a request head of at most {@value #MAX_HEAD} bytes that must arrive whole within
 * {@value #REQUEST_DEADLINE_MS} ms.
 */
@Designate(ocd = MetricsConfig.class)
@Component(
        configurationPid = MetricsConfig.PID,
        immediate = true,
        service = {})
public final class MetricsEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);
    /** Its configuration's PID. */
    public static final String PID = MetricsConfig.PID;
    /** How it reads its configuration: the check config.yaml's bridge asks is this reader too. */
    public static final java.util.function.Function<Map<String, Object>, ?> READER = MetricsEndpoint::read;

    private static final int MAX_HEAD = 8192;
    /** The whole request head must arrive within this, however slowly its bytes trickle in. */
    private static final long REQUEST_DEADLINE_MS = 3000;
    /** Scrapes served at once, and connections that may wait for a thread; more are closed at once. */
    private static final int THREADS = 4;

    private static final int WAITING = 12;

    private final RegistryView registry;
    private final List<MetricFamily> families = new CopyOnWriteArrayList<>();
    private final MetricsSettings settings;
    private final ServerSocket server;
    private final ExecutorService threads;

    @Activate
    public MetricsEndpoint(@Reference RegistryView registry, Map<String, Object> properties) {
        this.registry = registry;
        // refused: never something more open instead; no endpoint, and the reason where the operator looks
        MetricsSettings s = new Configured<MetricsSettings>(LOG, "the metrics endpoint", "does not start", null)
                .start(() -> read(properties))
                .get();
        this.settings = s;
        if (s == null || !s.enabled()) {
            server = null;
            threads = null;
            if (s != null) {
                LOG.info("Metrics endpoint off (enabled = false in {})", MetricsConfig.PID);
            }
            return;
        }
        server = bind(s);
        if (server == null) {
            threads = null;
            return;
        }
        // bounded: slow or idle connections (each cut at REQUEST_DEADLINE_MS) hold at most THREADS threads and
        // THREADS + WAITING descriptors; past that a connection is closed at once, so no other port of the worker
        // (gRPC's above all) runs short of threads or descriptors because of this one
        threads = dev.ferry.support.Threads.boundedPool("ferry-metrics", THREADS, WAITING);
        Thread accept = dev.ferry.support.Threads.daemon("ferry-metrics-accept", this::accept);
        accept.start();
        LOG.info("Metrics on http://{}/metrics{}", address(), s.token() != null ? " (bearer token)" : "");
        if (!s.address().isLoopbackAddress()) {
            LOG.warn(
                    "The metrics endpoint on {} takes its token over plain HTTP: anyone on the path can read it; keep it"
                            + " on a trusted network",
                    address());
        }
    }

    /** The listening socket, or null (said in the log) when the port cannot be had: the worker serves on without it. */
    private static ServerSocket bind(MetricsSettings s) {
        ServerSocket socket = null;
        try {
            socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(s.address(), s.port()));
            return socket;
        } catch (IOException e) {
            LOG.error(
                    "The metrics endpoint cannot listen on {}:{} ({}): another worker or program may use the port; set"
                            + " port in {} (0 picks a free one)",
                    s.address().getHostAddress(),
                    s.port(),
                    e.getMessage(),
                    MetricsConfig.PID);
            try {
                if (socket != null) {
                    socket.close();
                }
            } catch (IOException x) {
                // nothing was bound
            }
            return null;
        }
    }

    private static MetricsSettings read(Map<String, Object> properties) {
        return MetricsSettings.from(Configs.read(MetricsConfig.class, MetricsConfig.PID, properties));
    }

    /** host:port where it listens, or null when off. */
    String address() {
        return server == null ? null : settings.address().getHostAddress() + ":" + server.getLocalPort();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addFamily(MetricFamily family) {
        families.add(family);
    }

    void removeFamily(MetricFamily family) {
        families.remove(family);
    }

    @Deactivate
    void deactivate() throws IOException {
        if (server != null) {
            server.close();
            threads.shutdownNow();
        }
    }

    /** The text a scrape gets. */
    String scrape() {
        Exposition e = new Exposition();
        e.registry(registry);
        for (MetricFamily f : families) {
            try {
                e.source(f.name(), f.type(), f.help(), f.labels(), f.samples());
            } catch (RuntimeException
                    | LinkageError x) { // a family of another bundle that fails: the rest is still served
                LOG.warn("Metric family {} could not be read: {}", f, x.toString());
            }
        }
        e.jvm();
        return e.toString();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                try {
                    threads.execute(() -> serve(client));
                } catch (RejectedExecutionException e) {
                    client.close();
                }
            } catch (SocketException e) {
                return; // closed on deactivate
            } catch (IOException e) {
                LOG.debug("Metrics accept failed: {}", e.toString());
            }
        }
    }

    private void serve(Socket client) {
        try (client;
                InputStream in = client.getInputStream();
                OutputStream out = client.getOutputStream()) {
            String[] head = head(client, in, System.nanoTime() + REQUEST_DEADLINE_MS * 1_000_000L);
            if (head == null) {
                reply(
                        out,
                        400,
                        "Bad Request",
                        "the request head is missing, larger than " + MAX_HEAD + " bytes, or took" + " longer than "
                                + REQUEST_DEADLINE_MS + " ms\n");
                return;
            }
            String[] line = head[0].split(" ");
            if (line.length != 3 || !line[2].startsWith("HTTP/1.")) {
                reply(out, 400, "Bad Request", "not an HTTP/1.x request\n");
                return;
            }
            if (settings.token() != null && !authorized(head)) {
                reply(
                        out,
                        401,
                        "Unauthorized",
                        "send 'Authorization: Bearer <token>' (the token of " + MetricsConfig.PID + ")\n");
                return;
            }
            String path = line[1].split("\\?", 2)[0];
            if (!path.equals("/metrics") && !path.equals("/")) {
                reply(out, 404, "Not Found", "the metrics are at /metrics\n");
                return;
            }
            if (!line[0].equals("GET") && !line[0].equals("HEAD")) {
                reply(out, 405, "Method Not Allowed", "GET /metrics\n");
                return;
            }
            byte[] body = scrape().getBytes(StandardCharsets.UTF_8);
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: " + Exposition.CONTENT_TYPE + "\r\nContent-Length: "
                            + body.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            if (line[0].equals("GET")) {
                out.write(body);
            }
            out.flush();
        } catch (IOException e) {
            LOG.debug("Metrics scrape from {} failed: {}", client.getRemoteSocketAddress(), e.toString());
        }
    }

    /**
     * The request line and header lines, or null when they do not end within {@value #MAX_HEAD} bytes or
     * by the deadline (each read waits at most the time left: a byte every few seconds does not keep it open).
     */
    private static String[] head(Socket client, InputStream in, long deadlineNanos) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(512);
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (buf.size() < MAX_HEAD) {
            long left = (deadlineNanos - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return null;
            }
            client.setSoTimeout((int) Math.max(1, left));
            int b;
            try {
                b = in.read();
            } catch (java.net.SocketTimeoutException e) {
                return null;
            }
            if (b < 0) {
                return null;
            }
            buf.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return buf.toString(StandardCharsets.ISO_8859_1).split("\r\n");
            }
        }
        return null;
    }

    private boolean authorized(String[] head) {
        byte[] expected = ("Bearer " + settings.token()).getBytes(StandardCharsets.UTF_8);
        for (int i = 1; i < head.length; i++) {
            int colon = head[i].indexOf(':');
            if (colon > 0 && head[i].substring(0, colon).trim().equalsIgnoreCase("authorization")) {
                String value = head[i].substring(colon + 1).trim();
                // the scheme is case-insensitive (RFC 9110 11.1): bearer, Bearer and BEARER are one, as gRPC takes them
                if (value.length() > 7 && value.regionMatches(true, 0, "Bearer ", 0, 7)) {
                    value = "Bearer " + value.substring(7).trim();
                }
                return MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8), expected); // constant time
            }
        }
        return false;
    }

    private static void reply(OutputStream out, int code, String reason, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + code + " " + reason + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                        + body.length + "\r\nConnection: close\r\n"
                        + (code == 401 ? "WWW-Authenticate: Bearer\r\n" : "") + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }
}
