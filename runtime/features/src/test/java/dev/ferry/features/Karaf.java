package dev.ferry.features;

import dev.ferry.testing.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real Apache Karaf, unpacked under target/, started as a server and driven with bin/client. */
final class Karaf implements AutoCloseable {
    final Path home;
    final int sshPort;
    private final Process process;

    private Karaf(Path home, int sshPort, Process process) {
        this.home = home;
        this.sshPort = sshPort;
        this.process = process;
    }

    /**
     * Prepares a fresh copy of the unpacked Karaf (a user for bin/client, free ports, the test's
     * repository read before any other) and starts it.
     */
    static Karaf start(Path unpacked, Path itRepo, Path workDir) throws Exception {
        Path home = workDir.resolve("karaf");
        copyTree(unpacked, home);
        Path etc = home.resolve("etc");
        replace(etc.resolve("users.properties"), "#karaf = karaf,_g_:admingroup", "karaf = karaf,_g_:admingroup");
        replace(etc.resolve("users.properties"), "#_g_\\:admingroup", "_g_\\:admingroup");
        int ssh = freePort();
        replace(etc.resolve("org.apache.karaf.shell.cfg"), "sshPort = 8101", "sshPort = " + ssh);
        replace(etc.resolve("org.apache.karaf.shell.cfg"), "sshHost = 0.0.0.0", "sshHost = 127.0.0.1");
        replace(
                etc.resolve("org.apache.karaf.management.cfg"),
                "rmiRegistryPort = 1099",
                "rmiRegistryPort = " + freePort());
        replace(
                etc.resolve("org.apache.karaf.management.cfg"),
                "rmiServerPort = 44444",
                "rmiServerPort = " + freePort());
        // Ferry's artifacts come from the test's repository only: Karaf's local repository is a fresh folder, not
        // the user's ~/.m2, where an earlier mvn install may have left another build's. Karaf's own third-party
        // bundles that its system/ folder lacks (its scr feature's) come from its remote repositories as usual.
        Path mvnCfg = etc.resolve("org.ops4j.pax.url.mvn.cfg");
        replace(
                mvnCfg,
                "org.ops4j.pax.url.mvn.defaultRepositories=\\",
                "org.ops4j.pax.url.mvn.defaultRepositories=\\\n    " + itRepo.toUri() + "@id=ferry.it@snapshots, \\");
        Files.writeString(
                mvnCfg,
                "\norg.ops4j.pax.url.mvn.localRepository="
                        + Files.createDirectories(workDir.resolve("karaf-local-repository")) + "\n",
                StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server")
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("console.log").toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        long started = System.nanoTime();
        Process p = pb.start();
        Karaf k = new Karaf(home, ssh, p);
        try {
            Await.until("Karaf's SSH port", Duration.ofSeconds(120), () -> {
                if (!p.isAlive()) {
                    throw new IllegalStateException("Karaf ended");
                }
                return open(ssh);
            });
        } catch (AssertionError e) {
            k.close();
            throw new AssertionError(
                    "Karaf did not open its SSH port: " + e.getMessage() + "; " + home.resolve("console.log"), e);
        }
        System.out.printf(
                "Karaf: bin/karaf server to its SSH port open: %d ms%n", (System.nanoTime() - started) / 1_000_000);
        return k;
    }

    /** Runs one shell command through bin/client and returns what it printed. */
    String run(String command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(
                        home.resolve("bin/client").toString(),
                        "-a",
                        Integer.toString(sshPort),
                        "-h",
                        "127.0.0.1",
                        "-u",
                        "karaf",
                        "-p",
                        "karaf",
                        "-r",
                        "30",
                        "-d",
                        "1",
                        command)
                .directory(home.toFile())
                .redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        // bin/client prints only "Closed" when its stdin is closed: keep it open until it is done
        OutputStream stdin = p.getOutputStream();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bin/client did not end for: " + command);
        }
        stdin.close();
        return new String(out, StandardCharsets.UTF_8).replace("\r", "");
    }

    /** Asks until the answer satisfies the condition; returns it. */
    String poll(String command, Duration timeout, java.util.function.Predicate<String> ok) throws Exception {
        java.util.concurrent.atomic.AtomicReference<String> last =
                new java.util.concurrent.atomic.AtomicReference<>("");
        try {
            return Await.value("'" + command + "' as expected", timeout, () -> {
                last.set(run(command));
                return ok.test(last.get()) ? java.util.Optional.of(last.get()) : java.util.Optional.empty();
            });
        } catch (AssertionError e) {
            // told below, with Karaf's log
        }
        String log = log();
        throw new AssertionError("'" + command + "' never answered as expected within " + timeout + "; last answer:\n"
                + last.get() + "\nkaraf.log, its end:\n" + log.substring(Math.max(0, log.length() - 6000)));
    }

    String log() throws IOException {
        Path log = home.resolve("data/log/karaf.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** Stops Karaf: bin/karaf runs the JVM as its child, so the whole tree goes, the JVM last asked to stop. */
    @Override
    public void close() throws Exception {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (ProcessHandle h : tree) {
            try {
                h.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                h.destroyForcibly();
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static boolean open(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void replace(Path file, String from, String to) throws IOException {
        String text = Files.readString(file, StandardCharsets.ISO_8859_1);
        if (!text.contains(from)) {
            throw new AssertionError(file + " has no '" + from + "': another Karaf version?");
        }
        Files.writeString(file, text.replace(from, to), StandardCharsets.ISO_8859_1);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
