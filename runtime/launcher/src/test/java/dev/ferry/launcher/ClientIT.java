package dev.ferry.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.client.FerryClient;
import dev.ferry.client.Refusal;
import dev.ferry.client.TaskResult;
import dev.ferry.client.TaskStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's client and command-line examples, run as written against real workers (only ports and paths are the
 * test's), and the credentials through both: a bearer token and mutual TLS.
 */
class ClientIT {
    private static final Path CLI = Path.of("target/it-bundles/ferry-cli.jar");
    private static final Pattern EXIT = Pattern.compile("exit (\\d+)");

    @TempDir
    Path home;

    @TempDir
    Path dir;

    /** Runs the ferry command line; returns {exit code, stdout, stderr}. */
    private static String[] ferry(Map<String, String> env, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                CLI.toAbsolutePath().toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String[] {
            Integer.toString(p.exitValue()),
            new String(out, StandardCharsets.UTF_8),
            new String(err, StandardCharsets.UTF_8)
        };
    }

    @Test
    void theReadmesJavaAndCommandLineExamplesRunAsWritten() throws Exception {
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString(), "--no-shell")) {
            String address = "127.0.0.1:" + GrpcIT.port(w, "127.0.0.1");

            String java = Readme.blockAfter("that runs as written with `java -cp cli/target/ferry-cli.jar Hello.java`");
            assertThat(java).contains("\"127.0.0.1:50051\"");
            Path source = Files.writeString(dir.resolve("Hello.java"), java.replace("127.0.0.1:50051", address));
            Process p = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-cp",
                            CLI.toAbsolutePath().toString(),
                            source.toString())
                    .redirectErrorStream(true)
                    .start();
            String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(printed).isEqualTo("SUCCEEDED hello from " + address + "\n");

            String block = Readme.blockAfter("The same from a terminal, with the `ferry` command line");
            List<String> lines = block.lines().toList();
            assertThat(lines.get(0)).isEqualTo("alias ferry='java -jar cli/target/ferry-cli.jar'");
            Map<String, String> env = Map.of("FERRY_TARGET", address);
            int ran = 0;
            for (String line : lines.subList(1, lines.size())) {
                int hash = line.indexOf("  #");
                String command = line.substring(0, hash).trim();
                String comment = line.substring(hash + 3).trim();
                assertThat(command).startsWith("ferry ");
                String[] r = ferry(env, words(command.substring("ferry ".length())));
                Matcher exit = EXIT.matcher(comment);
                int expected = exit.find() ? Integer.parseInt(exit.group(1)) : 0;
                assertThat(Integer.parseInt(r[0]))
                        .as(command + " (stdout " + r[1] + ", stderr " + r[2] + ")")
                        .isEqualTo(expected);
                ran++;
                // what the comments say each prints
                if (comment.startsWith("prints hello")) {
                    assertThat(r[1]).isEqualTo("hello\n");
                    assertThat(r[2]).startsWith("SUCCEEDED task ").contains(" on " + address + " exit 0 (");
                } else if (comment.startsWith("TIMED_OUT") || comment.startsWith("FAILED")) {
                    assertThat(r[2]).startsWith(comment.substring(0, comment.indexOf(';')) + " task ");
                } else if (comment.startsWith("a, then b")) {
                    assertThat(r[1]).isEqualTo("a\nb\n");
                } else if (comment.startsWith("the whole result as JSON")) {
                    JsonNode json = new ObjectMapper().readTree(r[1]);
                    assertThat(json.get("status").asText()).isEqualTo("SUCCEEDED");
                    assertThat(json.get("output").asText()).isEqualTo("hello\n");
                } else if (comment.startsWith("invalid")) {
                    assertThat(r[1]).startsWith("invalid: ").contains("bogus");
                } else if (comment.startsWith("no worker serves it")) {
                    assertThat(r[2]).contains("executor.nosuchtype");
                } else if (comment.startsWith("each worker: types")) {
                    assertThat(r[1]).contains(address).contains("command").contains("dev.ferry.executor.command");
                } else if (comment.startsWith("each worker: SERVING")) {
                    assertThat(r[1]).isEqualTo(address + " SERVING\n");
                }
            }
            assertThat(ran).isEqualTo(lines.size() - 1);
            String[] completion = ferry(env, List.of("generate-completion"));
            assertThat(completion[1]).contains("complete -F");
        }
    }

    @Test
    void theReadmesFleetExampleRunsAgainstThreeWorkers() throws Exception {
        List<WorkerProcess> workers = new ArrayList<>();
        try {
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Path h = Files.createDirectories(dir.resolve("w" + i));
                WorkerProcess w = WorkerProcess.start("--home", h.toString(), "--no-shell");
                workers.add(w);
                ports.add(GrpcIT.port(w, "127.0.0.1"));
            }
            String block = Readme.blockAfter("Three workers on one machine, and the command line against all of them");
            for (int i = 0; i < 3; i++) {
                assertThat(block).contains("127.0.0.1:" + (50051 + i));
                block = block.replace("127.0.0.1:" + (50051 + i), "127.0.0.1:" + ports.get(i));
            }
            String script =
                    "set -e\nferry() { java -jar " + CLI.toAbsolutePath() + " \"$@\"; }\ncd " + dir + "\n" + block;
            Process p = new ProcessBuilder("bash", "-c", script)
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            for (int port : ports) {
                assertThat(out).contains("127.0.0.1:" + port + " SERVING");
                assertThat(out).containsPattern("127\\.0\\.0\\.1:" + port + " +command ");
            }
            assertThat(out).contains("hi\n").contains("SUCCEEDED task ");
        } finally {
            for (WorkerProcess w : workers) {
                w.close();
            }
        }
    }

    @Test
    void aTokenAndMutualTlsThroughTheClientAndTheCommandLine() throws Exception {
        Path pki = Files.createDirectories(home.resolve("pki"));
        Pki.make(pki);
        Path token = Files.writeString(dir.resolve("token"), "client-test-token-0123456789\n");
        WorkerProcess.cfg(
                home,
                "dev.ferry.grpc",
                "tls_cert_file = " + pki.resolve("server.crt"),
                "tls_key_file = " + pki.resolve("server.key"),
                "tls_client_ca_file = " + pki.resolve("ca.crt"),
                "token_file = " + token);
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString(), "--no-shell")) {
            String address = "127.0.0.1:" + GrpcIT.port(w, "127.0.0.1");
            String echo = "{\"command\":\"echo\",\"args\":[\"secure\"]}";
            try (FerryClient c = FerryClient.builder()
                    .target(address)
                    .tokenFile(token)
                    .tls(pki.resolve("ca.crt"), pki.resolve("client.crt"), pki.resolve("client.key"))
                    .build()) {
                TaskResult r = c.execute("command", echo, Duration.ofSeconds(10));
                assertThat(r.outputText()).isEqualTo("secure\n");
                assertThat(c.health("command").get(0).status()).isEqualTo("SERVING");
            }
            // a worker file as the target: the certificates are checked against localhost (or file://NAME/...)
            Path workers = Files.writeString(dir.resolve("workers"), address + "\n");
            try (FerryClient c = FerryClient.builder()
                    .target("file://" + workers)
                    .tokenFile(token)
                    .tls(pki.resolve("ca.crt"), pki.resolve("client.crt"), pki.resolve("client.key"))
                    .build()) {
                assertThat(c.execute("command", echo, Duration.ofSeconds(10)).outputText())
                        .isEqualTo("secure\n");
                assertThat(c.capabilities().get(0).error()).isEmpty();
            }
            Path wrong = Files.writeString(dir.resolve("wrong"), "not-the-token-0123456789\n");
            try (FerryClient c = FerryClient.builder()
                    .target(address)
                    .tokenFile(wrong)
                    .tls(pki.resolve("ca.crt"), pki.resolve("client.crt"), pki.resolve("client.key"))
                    .build()) {
                // the health checks carry the wrong token too: no worker takes the call
                try {
                    TaskResult r = c.execute("command", echo, Duration.ofSeconds(10));
                    assertThat(r.status()).isEqualTo(TaskStatus.REJECTED);
                    assertThat(r.refusal()).isEqualTo(Refusal.UNAUTHENTICATED);
                } catch (dev.ferry.client.NoWorkerException e) {
                    assertThat(e.getMessage()).contains("UNAUTHENTICATED");
                }
            }
            List<String> tls = List.of(
                    "--target",
                    address,
                    "--tls-ca",
                    pki.resolve("ca.crt").toString(),
                    "--tls-cert",
                    pki.resolve("client.crt").toString(),
                    "--tls-key",
                    pki.resolve("client.key").toString());
            List<String> ok = new ArrayList<>(List.of("run"));
            ok.addAll(tls);
            ok.addAll(List.of("--token-file", token.toString(), "command", echo));
            String[] r = ferry(Map.of(), ok);
            assertThat(r[0]).as(r[2]).isEqualTo("0");
            assertThat(r[1]).isEqualTo("secure\n");

            List<String> rogue = new ArrayList<>(List.of(
                    "run",
                    "--target",
                    address,
                    "--tls-ca",
                    pki.resolve("ca.crt").toString(),
                    "--tls-cert",
                    pki.resolve("rogue.crt").toString(),
                    "--tls-key",
                    pki.resolve("rogue.key").toString(),
                    "--token-file",
                    token.toString(),
                    "command",
                    echo));
            r = ferry(Map.of(), rogue);
            assertThat(r[0]).as("a client certificate of another CA: " + r[2]).isEqualTo("8");
            List<String> noToken = new ArrayList<>(List.of("run"));
            noToken.addAll(tls);
            noToken.addAll(List.of("command", echo));
            r = ferry(Map.of(), noToken);
            assertThat(r[0]).as("no token: " + r[2]).isIn("6", "8");
            assertThat(r[2]).contains("UNAUTHENTICATED");
        }
    }

    /** Splits a shell command line as bash would for these examples: words, single-quoted strings. */
    static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (char ch : line.toCharArray()) {
            if (ch == '\'') {
                quoted = !quoted;
                any = true;
            } else if (ch == ' ' && !quoted) {
                if (any) {
                    out.add(w.toString());
                    w.setLength(0);
                    any = false;
                }
            } else {
                w.append(ch);
                any = true;
            }
        }
        if (any) {
            out.add(w.toString());
        }
        return out;
    }
}
