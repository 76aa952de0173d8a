package dev.ferry.executor.command.internal;

import static dev.ferry.executor.command.internal.Fixtures.executor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.executor.api.DirectExecutionContext;
import dev.ferry.executor.api.OutputSink;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command executor with a live sink: output goes out as the program writes it, stdout and stderr apart. */
class StreamingTest {
    private final CommandExecutor plain = executor(Map.of());

    @Test
    void stdoutAndStderrGoToTheSinkWhileTheProgramRuns(@TempDir Path dir) throws Exception {
        Path flag = dir.resolve("flag");
        List<String> chunks = new CopyOnWriteArrayList<>();
        OutputSink sink = (channel, data, offset, length) -> {
            String text = new String(data, offset, length, StandardCharsets.UTF_8);
            chunks.add(channel + " " + text);
            if (text.contains("ready")) { // the program goes on only once its first line was seen here
                try {
                    Files.createFile(flag);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return true;
        };
        Result r = run(
                sink,
                "{\"command\":\"sh\",\"args\":[\"-c\",\"echo ready; while [ ! -e " + flag
                        + " ]; do sleep 0.02; done; echo done; echo oops >&2; exit 5\"]}");
        assertThat(r.status()).as(r.toString()).isEqualTo(Status.FAILED);
        assertThat(r.exitCode()).isEqualTo(5);
        assertThat(r.output()).as("streamed, not kept").isEmpty();
        assertThat(r.metadata()).doesNotContainKey("stderr").containsKey("pid");
        assertThat(String.join(
                        "",
                        chunks.stream()
                                .filter(c -> c.startsWith("OUTPUT "))
                                .map(c -> c.substring(7))
                                .toList()))
                .isEqualTo("ready\ndone\n");
        assertThat(chunks).contains("STDERR oops\n");
    }

    /** A sink that wants no more (its cap, a client gone) never blocks the program: its output is drained to the end. */
    @Test
    void aSinkThatWantsNoMoreStillLetsTheProgramFinish() throws Exception {
        AtomicLong offered = new AtomicLong();
        OutputSink full = (channel, data, offset, length) -> {
            offered.addAndGet(length);
            return false;
        };
        Result r = run(full, "{\"command\":\"head\",\"args\":[\"-c\",\"10485760\",\"/dev/zero\"]}");
        assertThat(r.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(offered.get())
                .as("every byte offered, so the sink can count what it dropped")
                .isEqualTo(10L << 20);
    }

    private Result run(OutputSink sink, String json) throws Exception {
        return plain.prepare(Task.of("command", json))
                .execute(DirectExecutionContext.withTimeout(Duration.ofSeconds(30), sink));
    }
}
