package dev.ferry.launcher;

import static dev.ferry.launcher.GrpcIT.port;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the standalone worker's log goes: a rotated file under data/log/, and a console kept for the shell. */
class LoggingIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path home;

    /**
     * On a terminal (here a pseudo-terminal from {@code script}) the console shows warnings only, so the shell's
     * prompt stays readable; the file has everything.
     */
    @Test
    void theInteractiveConsoleShowsWarningsOnlyAndTheFileEverything() throws Exception {
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(
                home.resolve("etc/dev.ferry.executor.command.cfg"), "blocked_comands = ls\n"); // a typo: a warning
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        "script",
                        "-qfec",
                        java + " -jar " + WorkerProcess.JAR.toAbsolutePath() + " --home " + home + " --grpc-port 0",
                        "/dev/null")
                .redirectErrorStream(true)
                .start();
        List<String> console = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                OutputStream in = p.getOutputStream()) {
            boolean warned = false;
            for (String line; (line = r.readLine()) != null; ) {
                console.add(line);
                warned |= line.contains("WARN") && line.contains("blocked_comands");
                if (warned && console.stream().anyMatch(l -> l.startsWith("ferry worker ready"))) {
                    in.write("stop 0\n".getBytes(StandardCharsets.UTF_8));
                    in.flush();
                    break;
                }
            }
            assertThat(warned).as("the warning on the console: " + console).isTrue();
        } finally {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
        assertThat(console).noneMatch(l -> l.contains(" INFO "));
        String file = Files.readString(home.resolve("data/log/ferry.0.log"));
        assertThat(file)
                .contains(
                        " INFO dev.ferry.worker.internal.registry.Dispatcher - Executor for type 'command' is available")
                .contains(" WARN ")
                .contains("blocked_comands");
        assertThat(file.lines().findFirst().orElseThrow())
                .matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[.*");
    }

    /** dev.ferry.logging changes levels while the worker runs, per logger too; the file rotates at its size. */
    @Test
    void levelsChangeLiveAndTheFileRotates() throws Exception {
        Path log = home.resolve("data/log/ferry.0.log");
        try (WorkerProcess w = WorkerProcess.start(
                List.of("-Dferry.log.file.bytes=4096", "-Dferry.log.files=3"), Map.of(), "--home", home.toString())) {
            port(w, "127.0.0.1");
            w.ask("executor:drain http first-reason");
            assertThat(Files.readString(log)).contains("drained (first-reason)");

            Files.writeString(home.resolve("etc/dev.ferry.logging.cfg"), "level = warn\n");
            w.await("the change said", WAIT, l -> l.contains("Log levels: WARNING")); // said just before it applies
            long applied = System.nanoTime() + WAIT.toNanos();
            for (int i = 0; ; i++) { // applied once a drain's INFO line no longer reaches the file
                w.ask("executor:drain http quiet-probe-" + i);
                if (!Files.readString(log).contains("drained (quiet-probe-" + i + ")")) {
                    break;
                }
                assertThat(System.nanoTime()).as("level warn applied").isLessThan(applied);
            }
            w.ask("executor:drain http second-reason");
            assertThat(allLogs()).as("an INFO line at level warn").doesNotContain("second-reason");

            // the README's example, as written: everything at warn, the registry's lines at info
            String readme = Readme.blockAfter("changes levels while the worker runs, for everything or per logger:");
            assertThat(readme).startsWith("level = warn\n").contains("dev.ferry.worker.internal.registry=info");
            Files.writeString(home.resolve("etc/dev.ferry.logging.cfg"), readme);
            long deadline = System.nanoTime() + WAIT.toNanos();
            for (int i = 0;
                    !Files.readString(log).contains("drained (probe-");
                    i++) { // until the change has reached it
                assertThat(System.nanoTime()).as("one logger at info").isLessThan(deadline);
                w.ask("executor:drain http probe-" + i);
            }

            for (int i = 0; i < 80; i++) { // about 200 bytes of log each
                w.ask("executor:drain http reason-" + i);
            }
            Path dir = home.resolve("data/log");
            assertThat(dir.resolve("ferry.1.log")).exists();
            assertThat(dir.resolve("ferry.2.log")).exists();
            assertThat(dir.resolve("ferry.3.log")).doesNotExist();
            for (String name : List.of("ferry.0.log", "ferry.1.log", "ferry.2.log")) {
                assertThat(Files.size(dir.resolve(name))).as(name).isLessThanOrEqualTo(4096 + 1024);
            }
            assertThat(Files.readString(log) + Files.readString(dir.resolve("ferry.1.log")))
                    .contains("reason-79");

            Files.writeString(home.resolve("etc/dev.ferry.logging.cfg"), "level = loud\n");
            w.await("the refusal", WAIT, l -> l.contains("level: 'loud' is not a level"));
        }
    }

    private String allLogs() throws Exception {
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(home.resolve("data/log"))) {
            for (Path p : files.filter(f -> f.getFileName().toString().matches("ferry\\.\\d+\\.log"))
                    .toList()) {
                all.append(Files.readString(p));
            }
        }
        return all.toString();
    }
}
