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
import java.util.ArrayList;
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
        Path socket = dir.resolve("hung.sock");
        ScheduledThreadPoolExecutor timers = dev.ferry.support.Threads.scheduled("test-engine-deadlines");
        List<SocketChannel> held = new ArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread acceptor = dev.ferry.support.Threads.daemon("test-hung-engine", () -> {
                try {
                    for (; ; ) {
                        held.add(server.accept()); // read nothing, answer nothing, keep it open
                    }
                } catch (IOException closed) {
                    // the test is over
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
