package dev.ferry.executor.http.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/** A real HTTP server on loopback (the JDK's), with the handlers the tests need. */
final class TestServer implements AutoCloseable {
    final HttpServer server;
    final List<String> requests = new CopyOnWriteArrayList<>();
    /** Bytes /trickle has sent so far. */
    final java.util.concurrent.atomic.AtomicInteger trickled = new java.util.concurrent.atomic.AtomicInteger();

    final Map<String, String> lastAuthorization = new ConcurrentHashMap<>();
    final Map<String, String> lastApiKey = new ConcurrentHashMap<>();

    TestServer() throws IOException {
        this(InetAddress.getLoopbackAddress());
    }

    /** A server on another loopback address (all of 127.0.0.0/8 is this host's on Linux). */
    TestServer(InetAddress address) throws IOException {
        server = HttpServer.create(new InetSocketAddress(address, 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "test-http-server");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    String url(String path) {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":"
                + server.getAddress().getPort() + path;
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String query = ex.getRequestURI().getQuery();
        requests.add(ex.getRequestMethod() + " " + ex.getRequestURI());
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        lastAuthorization.put(path, auth == null ? "<none>" : auth);
        String key = ex.getRequestHeaders().getFirst("X-Api-Key");
        lastApiKey.put(path, key == null ? "<none>" : key);
        byte[] in = ex.getRequestBody().readAllBytes();
        try {
            switch (path) {
                case "/hello" -> reply(ex, 200, "hello from the test server\n", Map.of("X-Test", "yes"));
                case "/echo" -> {
                    String text = ex.getRequestMethod() + " " + new String(in, StandardCharsets.UTF_8) + " ua="
                            + ex.getRequestHeaders().getFirst("User-Agent") + " x="
                            + ex.getRequestHeaders().getFirst("X-Thing");
                    reply(ex, 200, text, Map.of());
                }
                case "/binary" -> {
                    ex.sendResponseHeaders(200, in.length);
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(in);
                    }
                }
                case "/missing" -> reply(ex, 404, "not here\n", Map.of());
                case "/broken" -> reply(ex, 500, "oops\n", Map.of());
                case "/redirect" -> { // /redirect?n=3 → 3 hops then /hello
                    int n = Integer.parseInt(query.substring(2));
                    redirect(ex, 302, n <= 1 ? "/hello" : "/redirect?n=" + (n - 1));
                }
                case "/loop" -> redirect(ex, 302, "/loop");
                case "/to" -> redirect(ex, 302, query.substring(2)); // /to?u=URL
                case "/see-other" -> redirect(ex, 303, "/echo");
                case "/slow" -> {
                    sleep(5000);
                    reply(ex, 200, "finally\n", Map.of());
                }
                case "/huge" -> { // 200 MB, streamed
                    ex.sendResponseHeaders(200, 0);
                    byte[] chunk = new byte[64 * 1024];
                    try (OutputStream out = ex.getResponseBody()) {
                        for (int i = 0; i < 200 * 16; i++) {
                            out.write(chunk);
                        }
                    } catch (IOException e) {
                        requests.add("huge aborted by the client");
                    }
                }
                case "/trickle" -> { // a byte every 100 ms for a long time
                    ex.sendResponseHeaders(200, 0);
                    try (OutputStream out = ex.getResponseBody()) {
                        for (int i = 0; i < 600; i++) {
                            out.write('.');
                            out.flush();
                            trickled.incrementAndGet();
                            sleep(100);
                        }
                    } catch (IOException e) {
                        requests.add("trickle aborted by the client");
                    }
                }
                default -> reply(ex, 404, "no handler\n", Map.of());
            }
        } finally {
            ex.close();
        }
    }

    private static void reply(HttpExchange ex, int status, String body, Map<String, String> headers)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        ex.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** A redirect with a body, as many servers send ("Moved: see …"): the client must drop it. */
    private static void redirect(HttpExchange ex, int status, String location) throws IOException {
        ex.getResponseHeaders().add("Location", location);
        byte[] body = ("moved to " + location + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
