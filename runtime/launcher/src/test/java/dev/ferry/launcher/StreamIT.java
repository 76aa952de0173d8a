package dev.ferry.launcher;

import static dev.ferry.launcher.GrpcIT.assertCode;
import static dev.ferry.launcher.GrpcIT.awaitProcess;
import static dev.ferry.launcher.GrpcIT.check;
import static dev.ferry.launcher.GrpcIT.execute;
import static dev.ferry.launcher.GrpcIT.fiftyMegabytes;
import static dev.ferry.launcher.GrpcIT.port;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ferry.launcher.GrpcIT.Client;
import dev.ferry.worker.grpc.v1.Channel;
import dev.ferry.worker.grpc.v1.ExecuteRequest;
import dev.ferry.worker.grpc.v1.ExecuteResponse;
import dev.ferry.worker.grpc.v1.ExecuteStreamResponse;
import dev.ferry.worker.grpc.v1.OutputChunk;
import dev.ferry.worker.grpc.v1.Status;
import dev.ferry.worker.grpc.v1.WorkerGrpc;
import io.grpc.Context;
import io.grpc.Status.Code;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ExecuteStream and the shell's executor:run --follow, against the real worker jar, as a client would use them. */
class StreamIT {
    private static final Duration START = Duration.ofSeconds(60);

    @TempDir
    Path home;

    /** Output comes while the task runs, tagged and in order, for every kind of executor; errors as Execute's. */
    @Test
    void outputArrivesAsItIsProduced() throws Exception {
        Path flag = home.resolve("go-on");
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString(), "--no-shell");
                Client c = Client.plain(port(w, "127.0.0.1"))) {
            // live, shown by a hand-shake: the task waits for a file the client makes only once it saw "ready"
            Iterator<ExecuteStreamResponse> it = stream(
                    c,
                    command(
                            "sh",
                            "-c",
                            "echo ready; while [ ! -e \"$1\" ]; do sleep 0.02; done; echo done",
                            "sh",
                            flag.toString()));
            ExecuteStreamResponse started = it.next();
            assertThat(started.hasStarted()).as(started.toString()).isTrue();
            assertThat(started.getStarted().getTaskId()).isNotEmpty();
            assertThat(started.getStarted().getExecutedBy()).startsWith("dev.ferry.executor.command/");
            ExecuteStreamResponse first = it.next();
            assertThat(first.getChunk().getChannel()).isEqualTo(Channel.OUTPUT);
            assertThat(first.getChunk().getOffset()).isZero();
            assertThat(first.getChunk().getData().toStringUtf8()).isEqualTo("ready\n");
            Files.createFile(flag);
            Received rest = Received.drain(it);
            assertThat(rest.output()).isEqualTo("done\n");
            assertThat(rest.chunks.get(0).getOffset()).isEqualTo(6);
            assertThat(rest.result.getStatus()).isEqualTo(Status.SUCCEEDED);
            assertThat(rest.result.getOutput().isEmpty()).isTrue();
            assertThat(rest.result.getMetadataMap())
                    .containsEntry("ferry.stream_bytes", "11")
                    .doesNotContainKeys("stderr", "ferry.stream_truncated");

            // the case: a line every 100 ms for 2 s; the first is there well before the next
            ExecuteRequest lines = command("sh", "-c", "for i in $(seq 1 20); do echo line $i; sleep 0.1; done");
            it = stream(c, lines);
            assertThat(it.next().hasStarted()).isTrue();
            long startedAt = System.nanoTime();
            ExecuteStreamResponse line1 = it.next();
            long firstMillis = (System.nanoTime() - startedAt) / 1_000_000;
            assertThat(line1.getChunk().getData().toStringUtf8()).isEqualTo("line 1\n");
            assertThat(firstMillis)
                    .as("ms from the task's start to its first line")
                    .isLessThan(200);
            Received all = Received.drain(it);
            assertThat(all.chunks.size()).as("lines arrive one by one").isGreaterThanOrEqualTo(10);
            StringBuilder expected = new StringBuilder();
            for (int i = 2; i <= 20; i++) {
                expected.append("line ").append(i).append('\n');
            }
            assertThat(all.output()).isEqualTo(expected.toString());
            System.out.println("first line after the start: " + firstMillis + " ms");

            // stdout and stderr, each on its channel with its own offsets; a failure is a result, not an error
            Received both = Received.drain(stream(c, command("sh", "-c", "echo out; echo err >&2; echo more; exit 3")));
            assertThat(both.output()).isEqualTo("out\nmore\n");
            assertThat(both.of(Channel.STDERR)).isEqualTo("err\n");
            assertThat(both.result.getStatus()).isEqualTo(Status.FAILED);
            assertThat(both.result.getExitCode()).isEqualTo(3);

            // an executor that does not stream (jdbc): its output comes as chunks when it ends
            Received rows = Received.drain(stream(
                    c,
                    execute("jdbc", "{\"datasource\":\"default\",\"query\":\"select 42 as answer\"}")
                            .build()));
            assertThat(rows.output()).contains("\"answer\":42");
            assertThat(rows.result.getStatus()).isEqualTo(Status.SUCCEEDED);
            assertThat(rows.result.getOutput().isEmpty()).isTrue();

            // refused before it starts: the same codes as Execute, and no started message
            assertCode(() -> stream(c, execute("nope", "{}").build()).next(), Code.NOT_FOUND, "nope");
            assertCode(
                    () -> stream(
                                    c,
                                    execute("command", "{\"command\":\"echo\",\"argz\":[]}")
                                            .build())
                            .next(),
                    Code.INVALID_ARGUMENT,
                    "argz");
            assertCode(() -> stream(c, execute("", "{}").build()).next(), Code.INVALID_ARGUMENT, "task_type");

            // the 50 MB HTTP body: Execute answers with the capped body, ExecuteStream delivers it whole
            com.sun.net.httpserver.HttpServer server = fiftyMegabytes();
            try {
                String get =
                        "{\"url\":\"http://127.0.0.1:" + server.getAddress().getPort() + "/50mb\"}";
                ExecuteResponse capped = c.worker().execute(execute("http", get).build());
                assertThat(capped.getOutput().size()).isEqualTo(1024 * 1024);
                assertThat(capped.getMetadataMap()).containsEntry("body_truncated", "true");
                Received body = Received.drain(stream(c, execute("http", get).build()));
                assertThat(body.result.getStatus()).isEqualTo(Status.SUCCEEDED);
                assertThat(body.total(Channel.OUTPUT)).isEqualTo(50L * 1024 * 1024);
                assertThat(body.result.getMetadataMap())
                        .doesNotContainKeys("body_truncated", "ferry.stream_truncated")
                        .containsEntry("header.content-length", Long.toString(50L * 1024 * 1024));
            } finally {
                server.stop(0);
            }
        }
    }

    /**
     * 200 MB of stdout to a client that stops reading: the program blocks on its pipe with little written
     * (the worker buffers nothing), Execute and health keep answering, and once the client reads on every
     * byte arrives in order. The worker runs with a 96 MB heap: holding the stream would end it.
     */
    @Test
    void aSlowClientSlowsTheTaskInsteadOfFillingTheWorker() throws Exception {
        long size = 200L * 1024 * 1024;
        try (WorkerProcess w =
                        WorkerProcess.start(List.of("-Xmx96m"), Map.of(), "--home", home.toString(), "--no-shell");
                Client c = Client.plain(port(w, "127.0.0.1"))) {
            // the program announces itself on stderr; its pid is found by its arguments (it may run in a pid namespace)
            Iterator<ExecuteStreamResponse> it =
                    stream(c, command("sh", "-c", "echo started >&2; exec head -c " + size + " /dev/zero"));
            Received head = new Received();
            while (head.of(Channel.STDERR).isEmpty()) {
                head.add(it.next());
            }
            awaitProcess(Long.toString(size), true);
            long pid = ProcessHandle.allProcesses()
                    .filter(p -> p.info()
                            .arguments()
                            .map(a -> List.of(a).contains(Long.toString(size)))
                            .orElse(false))
                    .findFirst()
                    .orElseThrow()
                    .pid();
            // the client reads nothing now: within 2 s the program, free to write 200 MB in well under that,
            // must be held back at a few MB, blocked on its pipe
            long most = 0;
            for (int i = 0; i < 40; i++) {
                most = Math.max(most, written(pid));
                assertThat(most)
                        .as("bytes written by the program while the client reads nothing")
                        .isLessThan(32L << 20);
                Thread.sleep(50);
            }
            assertThat(Files.readString(Path.of("/proc/" + pid + "/wchan")))
                    .as("where the program waits")
                    .contains("pipe_write");
            System.out.println("written while the client paused: " + most + " bytes");
            // other calls are served meanwhile
            ExecuteResponse echo = c.worker().execute(command("echo", "still here"));
            assertThat(echo.getOutput().toStringUtf8()).isEqualTo("still here\n");
            assertThat(c.health().check(check("executor.command")).getStatus()).isEqualTo(ServingStatus.SERVING);

            long zeros = head.total(Channel.OUTPUT);
            long offset = zeros;
            ExecuteResponse result = null;
            while (it.hasNext()) {
                ExecuteStreamResponse m = it.next();
                if (m.hasResult()) {
                    result = m.getResult();
                    continue;
                }
                OutputChunk chunk = m.getChunk();
                assertThat(chunk.getChannel()).isEqualTo(Channel.OUTPUT);
                assertThat(chunk.getOffset())
                        .as("chunks in order, none missing")
                        .isEqualTo(offset);
                assertThat(chunk.getData().size()).isLessThanOrEqualTo(256 * 1024);
                for (int i = 0; i < chunk.getData().size(); i++) {
                    if (chunk.getData().byteAt(i) != 0) {
                        throw new AssertionError("byte " + (offset + i) + " is not what the program wrote");
                    }
                }
                offset += chunk.getData().size();
            }
            assertThat(offset).isEqualTo(size);
            assertThat(result).isNotNull();
            assertThat(result.getStatus()).isEqualTo(Status.SUCCEEDED);
            assertThat(result.getMetadataMap())
                    .containsEntry("ferry.stream_bytes", Long.toString(size + "started\n".length()));
            assertThat(w.output()).doesNotContain("OutOfMemoryError");
        }
    }

    /** A client that goes away mid-stream: the task's processes are gone. */
    @Test
    void aClientThatGoesAwayStopsTheTask() throws Exception {
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString(), "--no-shell");
                Client c = Client.plain(port(w, "127.0.0.1"))) {
            Context.CancellableContext call = Context.current().withCancellation();
            Iterator<ExecuteStreamResponse> it =
                    call.call(() -> stream(c, command("sh", "-c", "echo going; sleep 307.25; echo never")));
            assertThat(it.next().hasStarted()).isTrue();
            assertThat(it.next().getChunk().getData().toStringUtf8()).isEqualTo("going\n");
            awaitProcess("307.25", true);
            call.cancel(null);
            awaitProcess("307.25", false);
        }
    }

    /** max_stream_bytes cuts a stream and says so; the program still runs to its end. */
    @Test
    void theStreamCapCutsAndSaysSo() throws Exception {
        WorkerProcess.cfg(home, "dev.ferry.grpc", "max_stream_bytes = 1048576");
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString(), "--no-shell");
                Client c = Client.plain(port(w, "127.0.0.1"))) {
            Received r = Received.drain(stream(c, command("head", "-c", "3145728", "/dev/zero")));
            assertThat(r.total(Channel.OUTPUT)).isEqualTo(1024 * 1024);
            assertThat(r.result.getStatus()).isEqualTo(Status.SUCCEEDED);
            assertThat(r.result.getMetadataMap())
                    .containsEntry("ferry.stream_truncated", "true")
                    .containsEntry("ferry.stream_bytes", "3145728");
        }
    }

    /** The shell prints a task's output as it comes with --follow, then its outcome. */
    @Test
    void theShellFollowsOutput() throws Exception {
        Path flag = home.resolve("go-on");
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString())) {
            w.await("the ready line", START, l -> l.startsWith("ferry worker ready"));
            w.send("executor:run --follow command '{\"command\":\"sh\",\"args\":[\"-c\",\"echo ready; while [ ! -e "
                    + flag + " ]; do sleep 0.02; done; echo done; echo oops >&2\"]}'");
            w.await("the first line, live", START, "ready"::equals);
            assertThat(w.output()).doesNotContain("SUCCEEDED");
            Files.createFile(flag);
            w.await("the second line", START, "done"::equals);
            w.await("stderr", START, "oops"::equals);
            String outcome = w.await("the outcome", START, l -> l.startsWith("SUCCEEDED"));
            assertThat(outcome).contains("exit=0").contains("by=dev.ferry.executor.command/");
            // the README's example, as written
            String readme = Readme.blockAfter("`executor:run --follow` (or `-f`) prints")
                    .lines()
                    .findFirst()
                    .orElseThrow();
            assertThat(readme).startsWith("g! executor:run --follow ");
            w.send(readme.substring(3));
            for (String step : List.of("step 1", "step 2", "step 3")) {
                w.await(step, START, step::equals);
            }
            w.await("its outcome", START, l -> l.startsWith("SUCCEEDED") && l.contains("task=task-2"));

            List<String> help = w.ask("help executor:run");
            assertThat(String.join("\n", help)).contains("-f, --follow").contains("Ctrl-C cancels the task");

            // Ctrl-C (the SIGINT a terminal sends) cancels the running task, not the worker; the shell goes on
            int cancels = 0;
            for (String run : List.of("executor:run --follow", "executor:run")) {
                w.send(run + " command '{\"command\":\"sh\",\"args\":[\"-c\",\"echo going; sleep 302.5\"]}'");
                awaitProcess("302.5", true);
                Process kill = new ProcessBuilder("kill", "-INT", Long.toString(w.process.pid())).start();
                assertThat(kill.waitFor()).isZero();
                int expected = ++cancels;
                w.await(
                        "the cancel",
                        START,
                        l -> l.startsWith("cancelled task")
                                && w.output()
                                                .lines()
                                                .filter(x -> x.startsWith("cancelled task"))
                                                .count()
                                        == expected);
                awaitProcess("302.5", false);
                List<String> after = w.ask("executor:run command '{\"command\":\"echo\",\"args\":[\"alive\"]}'");
                assertThat(after).as(run).contains("alive");
                assertThat(w.process.isAlive()).isTrue();
            }
        }
    }

    /**
     * New-user finding #1 (issue 26): Ctrl-C on a real terminal (a pseudo-terminal from {@code script}) sends SIGINT
     * to the terminal's whole foreground group; the task's program died of it first and the task was recorded
     * FAILED, exit 130, while the shell said "cancelled". Now the program is out of that group: the worker
     * cancels the task, and the audit trail records CANCELLED.
     */
    @Test
    void ctrlCOnATerminalIsACancellationInTheAuditTrailToo(@TempDir Path home) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        "script",
                        "-qfec",
                        java + " -jar " + WorkerProcess.JAR.toAbsolutePath() + " --home " + home + " --grpc-port 0",
                        "/dev/null")
                .redirectErrorStream(true)
                .start();
        StringBuilder console = new StringBuilder();
        Thread reader = new Thread(
                () -> {
                    try (var in = p.getInputStream()) {
                        byte[] buf = new byte[4096];
                        for (int n; (n = in.read(buf)) > 0; ) {
                            synchronized (console) {
                                console.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                                console.notifyAll();
                            }
                        }
                    } catch (IOException ended) {
                        // the worker ended
                    }
                },
                "pty-reader");
        reader.setDaemon(true);
        reader.start();
        try (var in = p.getOutputStream()) {
            awaitConsole(console, "ferry worker ready");
            in.write(
                    "executor:run --follow command '{\"command\":\"sh\",\"args\":[\"-c\",\"echo going; sleep 303.75\"]}'\n"
                            .getBytes(StandardCharsets.UTF_8));
            in.flush();
            awaitProcess("303.75", true);
            in.write(3); // Ctrl-C, as the terminal's line discipline takes it
            in.flush();
            awaitConsole(console, "cancelled task");
            awaitProcess("303.75", false);
            Path audit = home.resolve("data/log/audit.log");
            String line = dev.ferry.testing.Await.value("the audit line", Duration.ofSeconds(30), () -> {
                String last = Files.exists(audit)
                        ? Files.readAllLines(audit).stream()
                                .filter(l -> l.contains("\"local shell\""))
                                .reduce("", (a, b) -> b)
                        : "";
                return last.contains("\"status\"") ? Optional.of(last) : Optional.empty();
            });
            assertThat(line).contains("\"status\":\"CANCELLED\"").doesNotContain("\"exit_code\":130");
            in.write("stop 0\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
        } finally {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
    }

    private static void awaitConsole(StringBuilder console, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        synchronized (console) {
            while (console.indexOf(text) < 0) {
                long left = deadline - System.nanoTime();
                assertThat(left)
                        .as("'" + text + "' on the terminal; it shows:\n" + console)
                        .isPositive();
                console.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    // -- helpers
    // -- helpers

    static ExecuteRequest command(String program, String... args) {
        StringBuilder json =
                new StringBuilder("{\"command\":").append(quote(program)).append(",\"args\":[");
        for (int i = 0; i < args.length; i++) {
            json.append(i == 0 ? "" : ",").append(quote(args[i]));
        }
        return ExecuteRequest.newBuilder()
                .setTaskType("command")
                .setPayload(ByteString.copyFromUtf8(json.append("]}").toString()))
                .build();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** A blocking stream: each next() takes one message; until it is called the client reads nothing more. */
    static Iterator<ExecuteStreamResponse> stream(Client c, ExecuteRequest request) {
        return WorkerGrpc.newBlockingStub(c.channel)
                .withDeadlineAfter(120, TimeUnit.SECONDS)
                .executeStream(request);
    }

    /** What a stream brought: chunks and the result. */
    static final class Received {
        final List<OutputChunk> chunks = new ArrayList<>();
        ExecuteResponse result;

        static Received drain(Iterator<ExecuteStreamResponse> it) {
            Received r = new Received();
            while (it.hasNext()) {
                r.add(it.next());
            }
            assertThat(r.result).as("the final message").isNotNull();
            return r;
        }

        void add(ExecuteStreamResponse m) {
            assertThat(result).as("nothing after the result").isNull();
            if (m.hasChunk()) {
                chunks.add(m.getChunk());
            } else if (m.hasResult()) {
                result = m.getResult();
            }
        }

        String output() {
            return of(Channel.OUTPUT);
        }

        String of(Channel channel) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            chunks.stream()
                    .filter(ch -> ch.getChannel() == channel)
                    .forEach(ch -> out.writeBytes(ch.getData().toByteArray()));
            return out.toString(StandardCharsets.UTF_8);
        }

        long total(Channel channel) {
            return chunks.stream()
                    .filter(ch -> ch.getChannel() == channel)
                    .mapToLong(ch -> ch.getData().size())
                    .sum();
        }
    }

    /** Bytes a process wrote so far (its own count, /proc/PID/io). */
    private static long written(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/io"))) {
            if (line.startsWith("wchar:")) {
                return Long.parseLong(line.substring(6).trim());
            }
        }
        throw new AssertionError("no wchar in /proc/" + pid + "/io");
    }
}
