package dev.ferry.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ferry-worker.jar as a user runs it: the shell, deploy/, etc/, bad arguments, SIGTERM. */
class WorkerIT {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Path BUNDLES = Path.of("target/it-bundles");

    @TempDir
    Path home;

    @Test
    void theShellListsAndRunsExecutors() throws Exception {
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString())) {
            String ready = w.await("the ready line", START, l -> l.startsWith("ferry worker ready"));
            assertThat(ready).contains("home=" + home);
            w.send("executor:list");
            w.await(
                    "the command executor listed",
                    START,
                    l -> l.startsWith("command") && l.contains("dev.ferry.executor.command"));
            w.send("executor:run command '{\"command\":\"echo\",\"args\":[\"hello\"]}'");
            w.await("echo's output", START, l -> l.equals("hello"));
            w.send("executor:run command '{\"command\":\"echo\",\"argz\":[]}'");
            w.await("a one-line error", START, l -> l.startsWith("error: argz: unknown field"));
            w.send("executor:run command '{\"command\":\"sleep\",\"args\":[\"5\"]}' 300ms");
            w.await("the timeout", START, l -> l.startsWith("TIMED_OUT"));
            w.send("executor:health");
            w.await("health", START, l -> l.matches("command\\s+UP.*"));
            List<String> answer =
                    w.ask("executor:run jdbc '{\"datasource\":\"default\",\"query\":\"select 1 as answer\"}'");
            assertThat(answer).contains("[{\"answer\":1}]");
            // the embedded database's task user has no admin rights: no reading the worker's files
            List<String> fileRead =
                    w.ask("executor:run jdbc '{\"datasource\":\"default\",\"query\":\"select file_read(?) as f\","
                            + "\"params\":[\"/etc/hostname\"]}'");
            assertThat(fileRead)
                    .anyMatch(l -> l.startsWith("FAILED"))
                    .anyMatch(l -> l.contains("Admin rights are required"));
        }
        assertThat(home.resolve("etc")).isDirectory();
        assertThat(home.resolve("deploy")).isDirectory();
        assertThat(home.resolve("data")).isDirectory();
    }

    @Test
    void theShellMakesAnHttpRequest() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hello", ex -> {
            byte[] body = "hi from the test server".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString())) {
            w.await("the ready line", START, l -> l.startsWith("ferry worker ready"));
            String url = "http://127.0.0.1:" + server.getAddress().getPort();
            List<String> ok = w.ask("executor:run http '{\"url\":\"" + url + "/hello\"}'");
            assertThat(ok).anyMatch(l -> l.startsWith("SUCCEEDED  exit=200"));
            assertThat(ok).contains("hi from the test server");
            List<String> missing = w.ask("executor:run http '{\"url\":\"" + url + "/nothing\"}'");
            assertThat(missing).anyMatch(l -> l.startsWith("FAILED  exit=404"));
            List<String> metadata = w.ask("executor:run http '{\"url\":\"http://169.254.169.254/\"}'");
            assertThat(metadata).anyMatch(l -> l.startsWith("REJECTED (policy denied)"));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void bundlesDroppedReplacedAndDeletedInDeployComeAndGo() throws Exception {
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString())) {
            w.await("the ready line", START, l -> l.startsWith("ferry worker ready"));
            Path deployed = home.resolve("deploy/swap.jar");

            Files.copy(BUNDLES.resolve("swap-v1.jar"), deployed);
            Duration install =
                    w.poll("executor:list", "swap 1.0.0", START, has("swap\\s+dev.ferry.test.swap\\s+1\\.0\\.0.*"));

            Files.copy(BUNDLES.resolve("swap-v2.jar"), deployed, StandardCopyOption.REPLACE_EXISTING);
            Duration update =
                    w.poll("executor:list", "swap 2.0.0", START, has("swap\\s+dev.ferry.test.swap\\s+2\\.0\\.0.*"));
            w.send("executor:run swap ''");
            w.await("v2's reply", START, l -> l.equals("v2"));

            Files.delete(deployed);
            Duration remove = w.poll(
                    "executor:list",
                    "swap gone",
                    START,
                    lines ->
                            has("command\\s.*").test(lines) && !has("swap\\s.*").test(lines));
            System.out.printf(
                    "deploy/: install seen after %d ms, update %d ms, delete %d ms%n",
                    install.toMillis(), update.toMillis(), remove.toMillis());
        }
    }

    @Test
    void aFileInDeployThatIsNotABundleIsReportedAndChangesNothing() throws Exception {
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString())) {
            w.await("the ready line", START, l -> l.startsWith("ferry worker ready"));
            Path deployed = home.resolve("deploy/swap.jar");
            Files.copy(BUNDLES.resolve("swap-v1.jar"), deployed);
            w.poll("executor:run swap ''", "v1's reply", START, lines -> lines.contains("v1"));

            byte[] noise = new byte[3000];
            new java.util.Random(3).nextBytes(noise);
            Files.write(home.resolve("deploy/bad.jar"), noise);
            w.await("the bad jar named", START, l -> l.contains("deploy/bad.jar is not a valid bundle"));

            // a truncated copy over a working jar: said, and the working version keeps serving
            byte[] v2 = Files.readAllBytes(BUNDLES.resolve("swap-v2.jar"));
            Path partial = home.resolve("swap.part");
            Files.write(partial, java.util.Arrays.copyOf(v2, v2.length / 2));
            Files.move(partial, deployed, StandardCopyOption.REPLACE_EXISTING);
            w.await(
                    "the truncated jar named",
                    START,
                    l -> l.contains("deploy/swap.jar was replaced by a file that is not a" + " valid bundle")
                            && l.contains("dev.ferry.test.swap 1.0.0 stays installed"));
            assertThat(w.ask("executor:run swap ''")).contains("v1");

            Files.copy(BUNDLES.resolve("swap-v2.jar"), deployed, StandardCopyOption.REPLACE_EXISTING);
            w.poll(
                    "executor:run swap ''",
                    "v2's reply once a complete jar arrives",
                    START,
                    lines -> lines.contains("v2"));
        }
    }

    /**
     * Security round 2, #19: after the worker was killed with SIGKILL, a task's process (inside its PID
     * namespace, under unshare) ran on; containers were cleaned at the next start, processes were not. Now the
     * next start in the same folder kills it, and says so.
     */
    @Test
    void aTaskLeftRunningByAKilledWorkerIsKilledAtTheNextStart() throws Exception {
        String mark = "30" + (System.nanoTime() % 1000); // a sleep length no other process here has
        Long leftover;
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString());
                GrpcIT.Client c = GrpcIT.Client.plain(GrpcIT.port(w, "127.0.0.1"))) {
            Thread task = new Thread(
                    () -> {
                        try {
                            c.worker()
                                    .execute(GrpcIT.execute(
                                                    "command", "{\"command\":\"sleep\",\"args\":[\"" + mark + "\"]}")
                                            .build());
                        } catch (RuntimeException expected) {
                            // the worker dies under it
                        }
                    },
                    "the long task");
            task.setDaemon(true);
            task.start();
            leftover = null;
            leftover = dev.ferry.testing.Await.value(
                    "the task's sleep started",
                    Duration.ofSeconds(30),
                    () -> ProcessHandle.allProcesses()
                            .filter(p -> p.info()
                                    .arguments()
                                    .map(a -> a.length == 1 && a[0].equals(mark))
                                    .orElse(false))
                            .map(ProcessHandle::pid)
                            .findFirst());
            w.process.toHandle().destroyForcibly(); // SIGKILL: the worker ends nothing
            assertThat(w.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        ProcessHandle sleep = ProcessHandle.of(leftover).orElseThrow();
        assertThat(sleep.isAlive())
                .as("the task outlived the killed worker: the way in is real")
                .isTrue();
        String pid = Long.toString(leftover);
        try (WorkerProcess again = WorkerProcess.start("--home", home.toString())) {
            again.await(
                    "the leftover said",
                    START,
                    l -> l.contains("that an earlier run of this worker left running") && l.contains(pid));
            assertThat(sleep.onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();
        } finally {
            sleep.destroyForcibly();
        }
    }

    /**
     * New-user finding #5 (issue 26): --version, --help's synopsis naming every option, and the versions in the
     * ready line and in Capabilities.
     */
    @Test
    void theWorkerSaysItsVersionAndItsApis() throws Exception {
        String version = System.getProperty("ferry.version");
        String api = System.getProperty("ferry.api.version");
        assertThat(version).isNotBlank();
        assertThat(api).isNotBlank();
        try (WorkerProcess v = WorkerProcess.start("--version")) {
            v.await("the version", START, l -> l.equals("ferry-worker " + version + " (executor API " + api + ")"));
            assertThat(v.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(v.process.exitValue()).isZero();
        }
        try (WorkerProcess h = WorkerProcess.start("--help")) {
            assertThat(h.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String help = h.output();
            String synopsis = help.substring(help.indexOf("usage:"), help.indexOf("  --home"));
            for (String option : List.of(
                    "--home",
                    "--config",
                    "--no-shell",
                    "--grpc-host",
                    "--grpc-port",
                    "--log-level",
                    "--version",
                    "--help")) {
                assertThat(synopsis).as("the synopsis names " + option).contains(option);
                assertThat(help).as("the help explains " + option).containsPattern("(?m)^  " + option);
            }
        }
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString());
                GrpcIT.Client c = GrpcIT.Client.plain(GrpcIT.port(w, "127.0.0.1"))) {
            assertThat(w.await("the ready line", START, l -> l.startsWith("ferry worker ready")))
                    .contains(" version=" + version + "/api-" + api + " ");
            var caps = c.worker().capabilities(dev.ferry.worker.grpc.v1.CapabilitiesRequest.getDefaultInstance());
            assertThat(caps.getApiVersion()).isEqualTo(api);
            assertThat(caps.getWorkerVersion()).isEqualTo(version.replace("-", "."));
        }
    }

    /** Security round 2, #22: a jar in deploy/ named as one of the worker's own bundles is said loudly. */
    @Test
    void aJarInDeployNamedAsAWorkersBundleIsSaid() throws Exception {
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString())) {
            w.await("the ready line", START, l -> l.startsWith("ferry worker ready"));
            java.util.jar.Manifest m = new java.util.jar.Manifest();
            m.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
            m.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
            m.getMainAttributes().putValue("Bundle-SymbolicName", "dev.ferry.executor.command");
            m.getMainAttributes().putValue("Bundle-Version", "9.0.0");
            Path part = home.resolve("impostor.part");
            try (java.util.jar.JarOutputStream out =
                    new java.util.jar.JarOutputStream(Files.newOutputStream(part), m)) {
                out.putNextEntry(new java.util.jar.JarEntry("empty.txt"));
            }
            Files.move(part, home.resolve("deploy/impostor.jar"));
            w.await(
                    "the warning",
                    START,
                    l -> l.contains("WARN")
                            && l.contains("deploy/impostor.jar is dev.ferry.executor.command"
                                    + " 9.0.0, the name of one of the worker's own bundles"));
        }
    }

    /**
     * Security round 2, #11: a 3 GiB jar (sparse) once took the watcher down with an OutOfMemoryError, and
     * nothing dropped after it was installed. It is refused by its size, before a byte is read.
     */
    @Test
    void aHugeJarInDeployIsRefusedAndTheNextOneInstalls() throws Exception {
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString())) {
            w.await("the ready line", START, l -> l.startsWith("ferry worker ready"));
            try (java.io.RandomAccessFile huge =
                    new java.io.RandomAccessFile(home.resolve("deploy/huge.jar").toFile(), "rw")) {
                huge.setLength(3L * 1024 * 1024 * 1024);
            }
            w.await(
                    "the huge jar refused",
                    START,
                    l -> l.contains("deploy/huge.jar is 3221225472 bytes, more than the"));
            Files.copy(BUNDLES.resolve("swap-v1.jar"), home.resolve("deploy/swap.jar"));
            w.poll("executor:run swap ''", "v1's reply: the watcher lives on", START, lines -> lines.contains("v1"));
        }
    }

    @Test
    void aDaemonStopsCleanlyOnSigterm() throws Exception {
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString(), "--no-shell")) {
            w.await("the ready line", START, l -> l.startsWith("ferry worker ready"));
            w.process.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of its output
            assertThat(w.process.waitFor(30, TimeUnit.SECONDS))
                    .as("stopped within 30 s")
                    .isTrue();
            w.await(
                    "the registry draining on the way out",
                    START,
                    l -> l.contains("Executor for type 'command' removed"));
        }
    }

    private static java.util.function.Predicate<List<String>> has(String regex) {
        return lines -> lines.stream().anyMatch(l -> l.matches(regex));
    }

    @Test
    void badArgumentsExitWithUsage() throws Exception {
        try (WorkerProcess w = WorkerProcess.start("--frobnicate")) {
            assertThat(w.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(w.process.exitValue()).isEqualTo(2);
            w.await("the error", START, l -> l.equals("ferry: unknown argument '--frobnicate'"));
            w.await("the usage", START, l -> l.startsWith("usage: java -jar ferry-worker.jar"));
        }
        try (WorkerProcess w = WorkerProcess.start("--home")) {
            assertThat(w.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(w.process.exitValue()).isEqualTo(2);
            w.await("the error", START, l -> l.contains("--home needs a folder"));
        }
    }

    @Test
    void anUnusableHomeExitsSayingWhatToFix() throws Exception {
        Path file = Files.writeString(home.resolve("not-a-folder"), "x");
        try (WorkerProcess w = WorkerProcess.start("--home", file.toString())) {
            assertThat(w.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(w.process.exitValue()).isEqualTo(1);
            w.await("the error", START, l -> l.contains("is a file, not a folder"));
        }
    }

    @Test
    void unreadableConfigurationExitsNamingTheFile() throws Exception {
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/dev.ferry.registry.cfg"), "max_concurrency = \\uZZZZ\n");
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString())) {
            assertThat(w.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(w.process.exitValue()).isEqualTo(1);
            w.await(
                    "the error",
                    START,
                    l -> l.contains("cannot read configuration") && l.contains("dev.ferry.registry.cfg"));
        }
    }

    @Test
    void configurationInEtcApplies() throws Exception {
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/dev.ferry.executor.command.cfg"), "blocked_commands = echo\n");
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString())) {
            w.await("the ready line", START, l -> l.startsWith("ferry worker ready"));
            w.poll(
                    "executor:run command '{\"command\":\"echo\"}'",
                    "the policy denial",
                    START,
                    lines -> lines.stream()
                            .anyMatch(l -> l.startsWith("error: command 'echo'") && l.contains("blocked_commands")));
        }
    }
}
