package dev.ferry.executor.container.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hung engine (it accepts, reads, never answers) cannot hold a call past its deadline. */
class EngineDeadlineTest {
    @TempDir
    Path dir;

    @Test
    @org.junit.jupiter.api.Timeout(60) // without deadlines the call would wait forever: fail instead
    void aCallToAnEngineThatNeverAnswersEndsAtItsDeadline() throws Exception {
        assertEndsAtDeadline(channel -> {
            // read nothing, answer nothing, keep it open
        });
    }

    /**
     * An engine that answers a byte at a time, each well within any per-read timeout: the call's deadline is for
     * the whole answer, so it still ends on time.
     */
    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aCallToAnEngineThatTricklesItsAnswerEndsAtItsDeadline() throws Exception {
        assertEndsAtDeadline(channel -> {
            channel.write(java.nio.ByteBuffer.wrap("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            for (int i = 0; i < 1000; i++) {
                channel.write(java.nio.ByteBuffer.wrap(new byte[] {'x'}));
                Thread.sleep(20); // the engine's pace, not the test's order: a byte every 20 ms
            }
        });
    }

    /** What the fake engine does with a connection. */
    private interface FakeEngine {
        void serve(SocketChannel channel) throws Exception;
    }

    private void assertEndsAtDeadline(FakeEngine behaviour) throws Exception {
        Path socket = dir.resolve("hung.sock");
        ScheduledThreadPoolExecutor timers = dev.ferry.support.Threads.scheduled("test-engine-deadlines");
        List<SocketChannel> held = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread acceptor = dev.ferry.support.Threads.daemon("test-hung-engine", () -> {
                try {
                    for (; ; ) {
                        SocketChannel c = server.accept();
                        held.add(c);
                        behaviour.serve(c);
                    }
                } catch (Exception closed) {
                    // the test is over, or the client closed the connection at its deadline
                }
            });
            acceptor.start();
            Engine engine = new Engine(socket, timers);
            long start = System.nanoTime();
            assertThatThrownBy(() -> engine.call("GET", "/version", null, Duration.ofMillis(300)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("did not answer GET /version within 300 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            assertThat(Files.exists(socket)).isTrue();
        } finally {
            timers.shutdownNow();
            for (SocketChannel c : held) {
                c.close();
            }
        }
    }
}
