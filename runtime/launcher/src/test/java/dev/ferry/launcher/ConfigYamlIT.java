package dev.ferry.launcher;

import static dev.ferry.launcher.GrpcIT.assertCode;
import static dev.ferry.launcher.GrpcIT.bearer;
import static dev.ferry.launcher.GrpcIT.check;
import static dev.ferry.launcher.GrpcIT.execute;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.launcher.GrpcIT.Client;
import dev.ferry.worker.grpc.v1.ExecuteResponse;
import dev.ferry.worker.grpc.v1.Status;
import dev.ferry.worker.grpc.v1.WorkerGrpc;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** etc/config.yaml, the README's files as written, read by the real worker jar and checked over gRPC. */
class ConfigYamlIT {
    private static final Duration LIVE = Duration.ofSeconds(2); // the bound for an edit to take effect
    private static final String LS = "{\"command\":\"ls\",\"args\":[\"/\"]}";
    private static final String ECHO = "{\"command\":\"echo\",\"args\":[\"hi\"]}";

    @TempDir
    Path home;

    @Test
    void theDesignsFileAppliesAndEditsApplyLiveWithNoTaskLost() throws Exception {
        String design = Readme.blockAfter("The design's file works as");
        write(design);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] twoMiB = new byte[2 * 1024 * 1024];
        server.createContext("/big", x -> {
            x.sendResponseHeaders(200, twoMiB.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(twoMiB);
            }
        });
        server.start();
        String big = "{\"url\":\"http://127.0.0.1:" + server.getAddress().getPort() + "/big\"}";
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString());
                Client c = Client.plain(GrpcIT.port(w, "127.0.0.1"))) {
            WorkerGrpc.WorkerBlockingStub worker = c.worker();
            assertThat(run(worker, "command", LS).getStatus()).isEqualTo(Status.SUCCEEDED);
            assertCode(() -> run(worker, "command", ECHO), Code.PERMISSION_DENIED, "allowed_commands");
            assertCode(
                    () -> run(worker, "command", "{\"command\":\"rm\",\"args\":[\"-rf\",\"/nothing\"]}"),
                    Code.PERMISSION_DENIED,
                    "rm");
            ExecuteResponse body = run(worker, "http", big);
            assertThat(body.getStatus()).isEqualTo(Status.SUCCEEDED);
            assertThat(body.getOutput().size()).as("max_body_size: 1048576").isEqualTo(1048576);
            assertThat(body.getMetadataMap()).containsEntry("body_truncated", "true");
            assertCode(() -> run(worker, "container", "{}"), Code.NOT_FOUND, "disabled in config.yaml");
            assertThat(String.join("\n", w.ask("executor:config http")))
                    .containsPattern("timeout_seconds +config.yaml line 8 +30")
                    .containsPattern("max_body_size +config.yaml line 9 +1048576")
                    .containsPattern("max_redirects +default +5");

            // edits while a client keeps running tasks: every task answered, and each edit live within 2 s
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger ran = new AtomicInteger();
            List<String> lost = new CopyOnWriteArrayList<>();
            Thread load = new Thread(
                    () -> {
                        while (!stop.get()) {
                            try {
                                ExecuteResponse r = run(worker, "command", LS);
                                if (r.getStatus() != Status.SUCCEEDED) {
                                    lost.add(r.toString());
                                }
                                ran.incrementAndGet();
                            } catch (RuntimeException e) {
                                lost.add(e.toString());
                            }
                        }
                    },
                    "load");
            load.start();

            write(design.replace("\"ls\", \"cat\"", "\"ls\", \"echo\", \"cat\""));
            assertThat(within(() -> succeeds(worker, "command", ECHO)))
                    .as("echo allowed")
                    .isLessThan(LIVE);

            write(design.replace("\"ls\", \"cat\"", "\"ls\", \"echo\", \"cat\"")
                    .replace("  http:\n    enabled: true", "  http:\n    enabled: false"));
            assertThat(within(() -> refusedWith(worker, "http", big, Code.NOT_FOUND, "disabled in config.yaml")))
                    .as("http disabled")
                    .isLessThan(LIVE);
            // gRPC health is refreshed every health_refresh_seconds (5 s by default)
            assertThat(within(() -> c.health().check(check("executor.http")).getStatus() == ServingStatus.NOT_SERVING))
                    .isLessThan(Duration.ofSeconds(10));

            write(design.replace("\"ls\", \"cat\"", "\"ls\", \"echo\", \"cat\""));
            assertThat(within(() -> succeeds(worker, "http", big)))
                    .as("http enabled again")
                    .isLessThan(LIVE);

            // a broken file changes nothing, and says why: the file, the line, the problem
            write(design.replace("\"ls\", \"cat\"", "\"ls\", \"echo\", \"cat\"")
                    .replace("blocked_commands: [\"rm\"", "blocked_commands: [\"rm\", [\"sudo\"]"));
            w.await(
                    "the refusal",
                    Duration.ofSeconds(10),
                    l -> l.contains("WARN")
                            && l.contains("config.yaml refused")
                            && l.contains("line 5: executors.command.blocked_commands must be a list of values")
                            && l.contains("the previous configuration stays"));
            assertThat(run(worker, "command", ECHO).getStatus()).isEqualTo(Status.SUCCEEDED);
            assertThat(String.join("\n", w.ask("executor:list")))
                    .contains("Configuration: " + home.resolve("etc/config.yaml") + " refused: line 5");
            write(design.replace(
                    "allowed_commands: [\"ls\"", "allowed_commands: [\"ls\", \"${env:NOT_SET_FOR_FERRY}\""));
            w.await(
                    "the second refusal",
                    Duration.ofSeconds(10),
                    l -> l.contains("refers to the environment variable" + " 'NOT_SET_FOR_FERRY'"));
            assertThat(run(worker, "command", ECHO).getStatus()).isEqualTo(Status.SUCCEEDED);
            // a value the executor itself refuses (a known key, a wrong value) refuses the whole file too
            write(design.replace("    enabled: true\n    allowed", "    isolation: sometimes\n    allowed")
                    .replace("max_body_size: 1048576", "max_body_size: 5"));
            w.await(
                    "the executor's refusal",
                    Duration.ofSeconds(10),
                    l -> l.contains("line 3: executors.command:")
                            && l.contains("isolation")
                            && l.contains("nothing in the file was applied"));
            assertThat(run(worker, "http", big).getOutput().size())
                    .as("max_body_size unchanged")
                    .isEqualTo(1048576);

            stop.set(true);
            load.join(30_000);
            assertThat(lost)
                    .as("tasks answered other than SUCCEEDED during the edits")
                    .isEmpty();
            assertThat(ran.get()).isPositive();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aFullerFileWithSecretsFromTheEnvironmentAndAFileNeverShowsThem() throws Exception {
        String token = "token-from-a-file-0123456789abcdef";
        String password = "password-from-the-environment-42";
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/grpc.token"), token + "\n");
        write(Readme.blockAfter("A fuller file, with every section"));
        try (WorkerProcess w = WorkerProcess.start(Map.of("REPORTS_DB_PASSWORD", password), "--home", home.toString());
                Client c = Client.plain(GrpcIT.port(w, "127.0.0.1"))) {
            String query = "{\"datasource\":\"reports\",\"query\":\"select 1 as one\"}";
            assertCode(() -> run(c.worker(), "jdbc", query), Code.UNAUTHENTICATED, "");
            WorkerGrpc.WorkerBlockingStub worker = c.worker().withInterceptors(bearer(token));
            ExecuteResponse one = eventually(() -> run(worker, "jdbc", query), r -> r.getStatus() == Status.SUCCEEDED);
            assertThat(one.getOutput().toStringUtf8()).isEqualTo("[{\"ONE\":1}]"); // H2 upper-cases unquoted names
            assertThat(run(worker, "command", ECHO).getStatus()).isEqualTo(Status.SUCCEEDED);
            assertCode(
                    () -> run(worker, "command", "{\"command\":\"sh\",\"args\":[\"-c\",\"true\"]}"),
                    Code.PERMISSION_DENIED,
                    "allowed_commands");

            String reports = String.join("\n", w.ask("executor:config reports"));
            assertThat(reports)
                    .containsPattern("password +config.yaml line \\d+ +\\$\\{env:REPORTS_DB_PASSWORD}")
                    .containsPattern("user +config.yaml line \\d+ +reports");
            assertThat(String.join("\n", w.ask("executor:config grpc")))
                    .containsPattern("token +config.yaml line 12 +\\$\\{file:" + home.resolve("etc/grpc.token") + "}");
            assertThat(String.join("\n", w.ask("executor:config command")))
                    .containsPattern("executor.concurrency.max +config.yaml line 5 +16");
            assertThat(String.join("\n", w.ask("executor:config audit")))
                    .containsPattern("max_files +config.yaml line 14 +10");
            assertThat(w.output()).doesNotContain(password).doesNotContain(token);
            // every section was checked, also those whose bundle started after the file was first applied
            assertThat(String.join("\n", w.ask("executor:list"))).doesNotContain("Configuration:");
        }
    }

    /**
     * Security round 2, #12, #17, #18: a secret inside another value (a datasource URL, init_sql's PASSWORD
     * '…') reaches neither the log, nor the console, nor executor:config; a ${file:…} reference where a path
     * goes (token_file) is refused without printing the file's content.
     */
    @Test
    void aSecretInsideAnotherValueIsNeverShownAndAReferenceIsNoPath() throws Exception {
        String secret = "url-secret-" + Long.toHexString(System.nanoTime());
        String admin = "admin-secret-" + Long.toHexString(System.nanoTime());
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/db.secret"), secret + "\n");
        // the secret sits in the URL under a name that says nothing (H2 runs INIT on each connection)
        write("datasources:\n  sec:\n    url: jdbc:h2:mem:sec;DB_CLOSE_DELAY=-1;INIT=SET @k = '${file:db.secret}'\n"
                + "    admin_user: sa\n    admin_password: sa-password-1\n"
                + "    init_sql: CREATE USER IF NOT EXISTS other PASSWORD '" + admin
                + "'; ALTER USER other ADMIN TRUE\n"
                + "    user: other\n    password: " + admin + "\n");
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString());
                Client c = Client.plain(GrpcIT.port(w, "127.0.0.1"))) {
            w.await("the datasource", Duration.ofSeconds(30), l -> l.contains("Datasource 'sec' ready"));
            ExecuteResponse one = eventually(
                    () -> run(c.worker(), "jdbc", "{\"datasource\":\"sec\",\"query\":\"select 1 as one\"}"),
                    r -> r.getStatus() == Status.SUCCEEDED);
            assertThat(one.getStatus()).as(one.getError()).isEqualTo(Status.SUCCEEDED);
            String config = String.join("\n", w.ask("executor:config sec"));
            assertThat(config)
                    .contains("PASSWORD '********'")
                    .doesNotContain(admin)
                    .doesNotContain(secret);

            int mark = w.printed();
            Files.writeString(home.resolve("etc/grpc.token"), "token-in-a-file-0123456789abcdef\n");
            write("worker:\n  grpc:\n    token_file: ${file:grpc.token}\n");
            w.awaitAfter(
                    mark,
                    "the reference refused",
                    Duration.ofSeconds(10),
                    l -> l.contains("'token_file' takes a path"));
            assertThat(w.output()).doesNotContain(secret).doesNotContain(admin).doesNotContain("token-in-a-file");
            assertThat(Files.readString(home.resolve("data/log/ferry.0.log")))
                    .doesNotContain(secret)
                    .doesNotContain(admin)
                    .doesNotContain("token-in-a-file");
        }
    }

    @Test
    void aCfgFileForTheSameConfigurationIsAConflictThatHoldsEveryTaskUntilOneGoes() throws Exception {
        Files.createDirectories(home.resolve("etc"));
        Path cfg = home.resolve("etc/dev.ferry.executor.command.cfg");
        Files.writeString(cfg, "blocked_commands = rm\n");
        write("executors:\n  command:\n    allowed_commands: [ls]\n");
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString());
                Client c = Client.plain(GrpcIT.port(w, "127.0.0.1"))) {
            // never the defaults (which allow echo) while two files disagree
            assertCode(
                    () -> run(c.worker(), "command", ECHO),
                    Code.NOT_FOUND,
                    "sets dev.ferry.executor.command, which " + cfg + " also sets");
            assertCode(
                    () -> run(c.worker(), "http", "{\"url\":\"http://127.0.0.1:1/\"}"),
                    Code.NOT_FOUND,
                    "the worker runs no task");
            Files.delete(cfg);
            assertThat(within(() -> succeeds(c.worker(), "command", LS))).isLessThan(LIVE);
            assertCode(() -> run(c.worker(), "command", ECHO), Code.PERMISSION_DENIED, "allowed_commands");
        }
    }

    /**
     * Security round 2, #5, #9, #10, #23: config.yaml emptied (as a truncating editor leaves it), 3 GiB, a
     * link to /dev/zero or a FIFO is refused, saying why, and the previous configuration stays; the watcher
     * lives on, and the next good file applies.
     */
    @Test
    void anEmptyHugeEndlessOrFifoFileIsRefusedAndTheWatcherLivesOn() throws Exception {
        write("executors:\n  command:\n    allowed_commands: [ls]\n");
        Path yaml = home.resolve("etc/config.yaml");
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString());
                Client c = Client.plain(GrpcIT.port(w, "127.0.0.1"))) {
            assertThat(run(c.worker(), "command", LS).getStatus()).isEqualTo(Status.SUCCEEDED);
            assertCode(() -> run(c.worker(), "command", ECHO), Code.PERMISSION_DENIED, "allowed_commands [ls]");

            for (String nothing :
                    new String[] {"[]", "[\"\"]"}) { // #8: an allow list set to nothing is refused, not "all"
                int mark = w.printed();
                write("executors:\n  command:\n    allowed_commands: " + nothing + "\n");
                w.awaitAfter(
                        mark,
                        "the empty allow list refused",
                        Duration.ofSeconds(10),
                        l -> l.contains("'allowed_commands' is" + " set but holds nothing")
                                && l.contains("the previous configuration stays"));
                assertCode(() -> run(c.worker(), "command", ECHO), Code.PERMISSION_DENIED, "allowed_commands [ls]");
                mark = w.printed();
                write("executors:\n  command:\n    allowed_commands: [ls]\n");
                w.awaitAfter(mark, "the good file again", Duration.ofSeconds(10), l -> l.contains("Applied " + yaml));
            }

            int mark = w.printed();
            Files.write(yaml, new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
            w.awaitAfter(
                    mark,
                    "the empty file refused",
                    Duration.ofSeconds(10),
                    l -> l.contains("config.yaml is empty") && l.contains("the previous configuration stays"));
            assertCode(() -> run(c.worker(), "command", ECHO), Code.PERMISSION_DENIED, "allowed_commands [ls]");

            mark = w.printed();
            try (java.io.RandomAccessFile huge = new java.io.RandomAccessFile(yaml.toFile(), "rw")) {
                huge.setLength(3L * 1024 * 1024 * 1024); // sparse: no disk is used
            }
            w.awaitAfter(
                    mark,
                    "the huge file refused",
                    Duration.ofSeconds(10),
                    l -> l.contains("config.yaml is 3221225472 bytes, more than"));
            assertCode(() -> run(c.worker(), "command", ECHO), Code.PERMISSION_DENIED, "allowed_commands [ls]");

            mark = w.printed();
            Files.delete(yaml);
            Files.createSymbolicLink(yaml, Path.of("/dev/zero"));
            w.awaitAfter(
                    mark,
                    "the device refused",
                    Duration.ofSeconds(10),
                    l -> l.contains("config.yaml is not a regular file (a character device"));
            assertCode(() -> run(c.worker(), "command", ECHO), Code.PERMISSION_DENIED, "allowed_commands [ls]");

            Files.delete(yaml);
            mark = w.printed();
            Process fifo =
                    new ProcessBuilder("mkfifo", yaml.toString()).inheritIO().start();
            assertThat(fifo.waitFor()).isZero();
            w.awaitAfter(
                    mark,
                    "the FIFO refused",
                    Duration.ofSeconds(10),
                    l -> l.contains("config.yaml is not a regular file (a FIFO"));
            assertCode(() -> run(c.worker(), "command", ECHO), Code.PERMISSION_DENIED, "allowed_commands [ls]");

            Files.delete(yaml);
            write("executors:\n  command:\n    allowed_commands: [ls, echo]\n");
            assertThat(within(() -> succeeds(c.worker(), "command", ECHO)))
                    .as("the watcher still applies files")
                    .isLessThan(LIVE);
        }
    }

    /** --config FILE: a config.yaml outside etc/, read and watched like the default one. */
    @Test
    void theConfigOptionNamesAnotherFile() throws Exception {
        Path other = Files.createDirectories(home.resolve("elsewhere")).resolve("worker.yaml");
        Files.writeString(other, "executors:\n  command:\n    allowed_commands: [ls]\n");
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/config.yaml"), "executors:\n  command:\n    allowed_commands: [echo]\n");
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString(), "--config", other.toString());
                Client c = Client.plain(GrpcIT.port(w, "127.0.0.1"))) {
            assertThat(run(c.worker(), "command", LS).getStatus()).isEqualTo(Status.SUCCEEDED);
            assertCode(() -> run(c.worker(), "command", ECHO), Code.PERMISSION_DENIED, "allowed_commands [ls]");
            Files.writeString(other, "executors:\n  command:\n    allowed_commands: [ls, echo]\n");
            assertThat(within(() -> succeeds(c.worker(), "command", ECHO))).isLessThan(LIVE);
        }
    }

    /** The registry's own check is registered after the file is first applied: refused then, nothing runs. */
    @Test
    void aSectionRefusedByACheckThatArrivesAfterTheStartHoldsEveryTaskUntilFixed() throws Exception {
        write("worker:\n  registry:\n    max_concurrency: 0\n");
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString());
                Client c = Client.plain(GrpcIT.port(w, "127.0.0.1"))) {
            assertCode(() -> run(c.worker(), "command", LS), Code.PERMISSION_DENIED, "the worker runs no task");
            w.poll(
                    "executor:list",
                    "the refusal",
                    Duration.ofSeconds(10),
                    lines -> lines.stream()
                            .anyMatch(l -> l.startsWith("Configuration: the worker runs no task: "
                                            + home.resolve("etc/config.yaml") + " refused: line 3: worker.registry:")
                                    && l.contains("max_concurrency: must be >= 1, got 0")));
            write("worker:\n  registry:\n    max_concurrency: 2\n");
            assertThat(within(() -> succeeds(c.worker(), "command", LS))).isLessThan(LIVE);
            assertThat(String.join("\n", w.ask("executor:config registry")))
                    .containsPattern("max_concurrency +config.yaml line 3 +2");
        }
    }

    /** Writes config.yaml whole, as an editor that saves through a temporary file does. */
    private void write(String yaml) throws Exception {
        Files.createDirectories(home.resolve("etc"));
        Path tmp = home.resolve("etc/.config.yaml.tmp");
        Files.writeString(tmp, yaml);
        Files.move(
                tmp,
                home.resolve("etc/config.yaml"),
                StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    private static ExecuteResponse run(WorkerGrpc.WorkerBlockingStub worker, String type, String json) {
        return worker.execute(execute(type, json).build());
    }

    private static boolean succeeds(WorkerGrpc.WorkerBlockingStub worker, String type, String json) {
        try {
            return run(worker, type, json).getStatus() == Status.SUCCEEDED;
        } catch (StatusRuntimeException e) {
            return false;
        }
    }

    private static boolean refusedWith(
            WorkerGrpc.WorkerBlockingStub worker, String type, String json, Code code, String text) {
        try {
            run(worker, type, json);
            return false;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode() == code
                    && String.valueOf(e.getStatus().getDescription()).contains(text);
        }
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    /** How long until the condition held (polled, bounded by 30 s). */
    private static Duration within(Condition condition) throws Exception {
        long start = System.nanoTime();
        dev.ferry.testing.Await.until("the change", Duration.ofSeconds(30), condition::holds);
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static <T> T eventually(java.util.function.Supplier<T> call, Predicate<T> done) throws Exception {
        long start = System.nanoTime();
        while (true) {
            T value = call.get();
            if (done.test(value)
                    || System.nanoTime() - start > Duration.ofSeconds(30).toNanos()) {
                return value;
            }
            Thread.sleep(20);
        }
    }
}
