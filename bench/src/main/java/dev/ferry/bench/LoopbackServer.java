package dev.ferry.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The JDK's HTTP server on loopback, answering every request with a small JSON body. */
final class LoopbackServer implements AutoCloseable {
    static final byte[] BODY = "{\"ok\":true,\"service\":\"bench\"}".getBytes();

    private final HttpServer server;
    private final ExecutorService threads;

    LoopbackServer(int threadCount) throws IOException {
        // without nodelay the JDK's server stalls 40 ms per response on delayed ACKs
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        threads = Executors.newFixedThreadPool(threadCount);
        server.setExecutor(threads);
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, BODY.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(BODY);
            }
        });
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
