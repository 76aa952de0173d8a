package dev.ferry.runtime.tests;

import static dev.ferry.runtime.tests.Bundles.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.executor.api.ExecutorRegistry;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;
import dev.ferry.executor.api.TaskHandle;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.service.ServiceExtension;

/** The http executor through the real registry, against a real server on loopback. */
@ExtendWith(ServiceExtension.class)
class HttpTest {
    @InjectService(timeout = 10_000)
    ExecutorRegistry registry;

    HttpServer server;
    final CountDownLatch slowStarted = new CountDownLatch(1);
    final CountDownLatch slowAborted = new CountDownLatch(1);

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/ok", ex -> {
            byte[] body = "fine".getBytes();
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/slow", ex -> {
            ex.sendResponseHeaders(200, 0);
            slowStarted.countDown();
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < 300; i++) {
                    out.write('.');
                    out.flush();
                    Thread.sleep(100);
                }
            } catch (IOException | InterruptedException e) {
                slowAborted.countDown();
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Test
    void aGetReturnsBodyAndStatus() throws Exception {
        Result r = run(registry, "http", "{\"url\":\"" + url("/ok") + "\"}", Duration.ofSeconds(10));
        assertThat(r.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(r.exitCode()).isEqualTo(200);
        assertThat(r.outputAsString()).isEqualTo("fine");
    }

    @Test
    void theRegistryDeadlineAbortsTheRequest() throws Exception {
        Result r = run(registry, "http", "{\"url\":\"" + url("/slow") + "\"}", Duration.ofMillis(500));
        assertThat(r.status()).isEqualTo(Status.TIMED_OUT);
        assertThat(slowAborted.await(10, TimeUnit.SECONDS))
                .as("the server saw the connection go")
                .isTrue();
    }

    @Test
    void aCancelAbortsTheRequest() throws Exception {
        TaskHandle handle =
                registry.submit(Task.of("http", "{\"url\":\"" + url("/slow") + "\"}"), Duration.ofSeconds(60));
        assertThat(slowStarted.await(10, TimeUnit.SECONDS)).isTrue();
        handle.cancel();
        assertThat(handle.result()
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS)
                        .status())
                .isEqualTo(Status.CANCELLED);
        assertThat(slowAborted.await(10, TimeUnit.SECONDS))
                .as("the server saw the connection go")
                .isTrue();
    }
}
