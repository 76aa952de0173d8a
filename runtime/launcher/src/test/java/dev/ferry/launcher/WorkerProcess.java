package dev.ferry.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** The real ferry-worker.jar in a child JVM, driven through its shell like a person would. */
final class WorkerProcess implements AutoCloseable {
    static final Path JAR = Path.of(System.getProperty("ferry.worker.jar", "target/ferry-worker.jar"));

    final Process process;
    private final List<String> lines = new ArrayList<>();
    private final OutputStream stdin;

    private WorkerProcess(Process process) {
        this.process = process;
        this.stdin = process.getOutputStream();
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            while (line.startsWith("g! ")) {
                                line = line.substring(3); // the shell's prompt, printed before the next output
                            }
                            synchronized (lines) {
                                lines.add(line);
                                lines.notifyAll();
                            }
                        }
                    } catch (IOException e) {
                        // the worker ended
                    }
                },
                "worker-output");
        reader.setDaemon(true);
        reader.start();
    }

    static WorkerProcess start(String... args) throws IOException {
        return start(Map.of(), args);
    }

    /** Starts the worker with these variables added to its environment. */
    static WorkerProcess start(Map<String, String> env, String... args) throws IOException {
        return start(List.of(), env, args);
    }

    /** Starts the worker with these JVM options (e.g. a heap limit) and variables added to its environment. */
    static WorkerProcess start(List<String> jvm, Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dfelix.fileinstall.poll=100"));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        if (!cmd.contains("--grpc-port")) {
            // workers of parallel or leftover test runs must not fight over the default port
            cmd.addAll(List.of("--grpc-port", "0"));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        return new WorkerProcess(pb.start());
    }

    /** Writes {@code etc/<pid>.cfg} in a worker's home, one line per setting, as an operator would. */
    static void cfg(Path home, String pid, String... lines) throws IOException {
        java.nio.file.Files.createDirectories(home.resolve("etc"));
        java.nio.file.Files.write(home.resolve("etc/" + pid + ".cfg"), List.of(lines));
    }

    void send(String command) throws IOException {
        stdin.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    /** Waits, bounded, for a line of output matching; returns it. */
    String await(String what, Duration timeout, Predicate<String> match) throws InterruptedException {
        return awaitAfter(0, what, timeout, match);
    }

    /** How many lines the worker printed so far: a mark for {@link #awaitAfter}. */
    int printed() {
        synchronized (lines) {
            return lines.size();
        }
    }

    /** Waits, bounded, for a line of output matching, printed after the first {@code from} lines; returns it. */
    String awaitAfter(int from, String what, Duration timeout, Predicate<String> match) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            int seen = from;
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (match.test(lines.get(seen))) {
                        return lines.get(seen);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no output line with " + what + " within " + timeout + "; output:\n"
                            + String.join("\n", lines));
                }
                lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /** Runs a shell command and returns the lines it printed. */
    List<String> ask(String command) throws Exception {
        String mark = "--- end " + (++asked) + " ---";
        int from;
        synchronized (lines) {
            from = lines.size();
        }
        send(command);
        send("echo '" + mark + "'");
        await(mark, Duration.ofSeconds(30), mark::equals);
        synchronized (lines) {
            List<String> out = new ArrayList<>(lines.subList(from, lines.indexOf(mark)));
            return out;
        }
    }

    private int asked;

    /** Asks until the answer satisfies the condition; returns the time it took. */
    Duration poll(String command, String what, Duration timeout, Predicate<List<String>> answered) throws Exception {
        long start = System.nanoTime();
        try {
            dev.ferry.testing.Await.until(
                    "'" + command + "' to show " + what, timeout, () -> answered.test(ask(command)));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; output:\n" + output(), e);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
