package dev.ferry.executor.command.internal;

import static dev.ferry.executor.command.internal.Fixtures.executor;
import static dev.ferry.executor.command.internal.Fixtures.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.executor.api.InvalidPayloadException;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CommandExecutorTest {
    private final CommandExecutor plain = executor(Map.of());

    /** The seed's table test. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            echo        | {"command":"echo","args":["hello"]}        | SUCCEEDED | 0  | 'hello\n'
            nonexistent | {"command":"nonexistent-command-xyz"}      | ERROR     | -1 | ''
            """)
    void seedTable(String name, String payload, Status status, int exitCode, String output) throws Exception {
        Result r = run(plain, payload);
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.exitCode()).isEqualTo(exitCode);
        assertThat(r.outputAsString()).isEqualTo(output.replace("\\n", "\n"));
    }

    @Test
    void aMissingProgramSaysWhy() throws Exception {
        Result r = run(plain, "{\"command\":\"nonexistent-command-xyz\"}");
        assertThat(r.error())
                .contains("command not found")
                .contains("nonexistent-command-xyz")
                .contains("PATH");
    }

    @Test
    void aNonZeroExitFailsWithStderrAndTheCode() throws Exception {
        Result r = run(plain, "{\"command\":\"sh\",\"args\":[\"-c\",\"echo out; echo oops >&2; exit 3\"]}");
        assertThat(r.status()).isEqualTo(Status.FAILED);
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.outputAsString()).isEqualTo("out\n");
        assertThat(r.metadata()).containsEntry("stderr", "oops\n").containsKeys("pid", "duration_ms");
    }

    @Test
    void argumentsAreArgvNotAShellString() throws Exception {
        Result r = run(plain, "{\"command\":\"echo\",\"args\":[\"$(id)\",\"a; rm -rf /\",\"*\"]}");
        assertThat(r.outputAsString()).isEqualTo("$(id) a; rm -rf / *\n");
    }

    @Test
    void theWorkingDirectoryAndStdinAreUsed(@TempDir Path dir) throws Exception {
        Result pwd = run(plain, "{\"command\":\"pwd\",\"working_dir\":\"" + dir + "\"}");
        assertThat(pwd.outputAsString()).isEqualTo(dir.toRealPath() + "\n");
        Result cat = run(plain, "{\"command\":\"cat\",\"stdin\":\"fed\\nthrough stdin\"}");
        assertThat(cat.outputAsString()).isEqualTo("fed\nthrough stdin");
    }

    @Test
    void severalMegabytesOfStdinAndStdoutDoNotDeadlock() throws Exception {
        String big = "x".repeat(6 * 1024 * 1024);
        CommandExecutor roomy = executor(Map.of("max_output_bytes", 8 * 1024 * 1024));
        Result r = run(roomy, "{\"command\":\"cat\",\"stdin\":\"" + big + "\"}");
        assertThat(r.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(r.output().length).isEqualTo(big.length());
    }

    @Test
    void outputIsCappedHeadKeptAndFlagged() throws Exception {
        CommandExecutor small = executor(Map.of("max_output_bytes", 1000));
        // 3 MB on each stream: more than a pipe holds, so both must be read concurrently
        Result r = run(
                small,
                "{\"command\":\"sh\",\"args\":[\"-c\"," + "\"yes a | head -c 3000000; yes b | head -c 3000000 >&2\"]}");
        assertThat(r.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(r.output()).hasSize(1000);
        assertThat(r.outputAsString()).isEqualTo("a\n".repeat(500));
        assertThat(r.metadata())
                .containsEntry("stdout_truncated", "true")
                .containsEntry("stdout_bytes", "3000000")
                .containsEntry("stderr_truncated", "true")
                .containsEntry("stderr_bytes", "3000000");
        assertThat(r.metadata().get("stderr")).isEqualTo("b\n".repeat(500));
    }

    @Test
    void backgroundChildrenHoldingTheOutputDoNotHangTheTask() throws Exception {
        long start = System.nanoTime();
        Result r = run(plain, "{\"command\":\"sh\",\"args\":[\"-c\",\"sleep 300 & echo started\"]}");
        assertThat(r.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(r.outputAsString()).isEqualTo("started\n");
        assertThat(System.nanoTime() - start).as("well before the sleep ends").isLessThan(30_000_000_000L);
    }

    @Test
    void invalidPayloadsNameTheField(@TempDir Path dir) {
        assertInvalid("not json", null, "not valid JSON");
        assertInvalid("[\"echo\"]", null, "must be a JSON object");
        assertInvalid("{}", "command", "is required");
        assertInvalid("{\"command\":\"\"}", "command", "must not be empty");
        assertInvalid("{\"command\":5}", "command", "must be a string, got a number");
        assertInvalid("{\"command\":\"echo\",\"arg\":[\"x\"]}", "arg", "unknown field");
        assertInvalid("{\"command\":\"echo\",\"args\":\"x\"}", "args", "must be an array");
        assertInvalid("{\"command\":\"echo\",\"args\":[\"a\",5]}", "args[1]", "must be a string, got a number");
        assertInvalid("{\"command\":\"echo\",\"args\":[\"a\\u0000b\"]}", "args[0]", "NUL");
        assertInvalid("{\"command\":\"ec\\u0000ho\"}", "command", "NUL");
        assertInvalid("{\"command\":\"echo\",\"env\":[\"A=1\"]}", "env", "must be an object");
        assertInvalid("{\"command\":\"echo\",\"env\":{\"A\":1}}", "env.A", "must be a string");
        assertInvalid("{\"command\":\"echo\",\"env\":{\"A=B\":\"1\"}}", "env.A=B", "not a valid variable name");
        assertInvalid("{\"command\":\"echo\",\"working_dir\":\"relative\"}", "working_dir", "absolute");
        assertInvalid(
                "{\"command\":\"echo\",\"working_dir\":\"" + dir.resolve("missing") + "\"}",
                "working_dir",
                "not an existing directory");
        assertInvalid("{\"command\":\"echo\",\"stdin\":[1]}", "stdin", "must be a string");
        assertInvalid("{\"command\":\"echo\",\"command\":\"rm\"}", "command", "appears twice");
    }

    private void assertInvalid(String payload, String field, String problem) {
        assertThatThrownBy(() -> plain.prepare(new Task("t", "t", payload.getBytes(StandardCharsets.UTF_8), null)))
                .as(payload)
                .isInstanceOfSatisfying(
                        InvalidPayloadException.class,
                        e -> assertThat(e.field()).isEqualTo(field))
                .hasMessageContaining(problem);
    }

    @Test
    void healthRunsTrue() {
        assertThat(plain.health().isHealthy()).isTrue();
        assertThat(plain.health().message()).startsWith("ok");
    }

    @Test
    void badConfigurationIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> executor(Map.of("environment", "everything"))).hasMessageContaining("environment");
        assertThatThrownBy(() -> executor(Map.of("sandbox", "docker"))).hasMessageContaining("sandbox");
        assertThatThrownBy(() -> executor(Map.of("max_output_bytes", -1))).hasMessageContaining("max_output_bytes");
        assertThatThrownBy(() -> executor(Map.of("blocked_commands", new String[] {"bin/rm"})))
                .hasMessageContaining("absolute path");
    }

    @Test
    void aSandboxedCommandHasNoNetworkAndAReadOnlyRoot(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Sandbox.bwrap() != null && Sandbox.problem() == null,
                "bubblewrap is not usable here; .ci/run installs it");
        CommandExecutor boxed = executor(Map.of("sandbox", "bwrap"));
        assertThat(boxed.health().message()).contains("sandbox: bwrap");
        Result write = run(boxed, "{\"command\":\"sh\",\"args\":[\"-c\",\"touch /usr/ferry-escape\"]}");
        assertThat(write.status()).isEqualTo(Status.FAILED);
        assertThat(Files.exists(Path.of("/usr/ferry-escape"))).isFalse();
        Result tmp = run(boxed, "{\"command\":\"sh\",\"args\":[\"-c\",\"touch /tmp/private && ls /tmp\"]}");
        assertThat(tmp.outputAsString()).isEqualTo("private\n");
        Result net = run(boxed, "{\"command\":\"cat\",\"args\":[\"/proc/net/dev\"]}");
        assertThat(net.outputAsString().lines().skip(2).map(l -> l.trim().split(":")[0]))
                .as("network interfaces inside the sandbox")
                .containsExactly("lo");
        Result wd = run(
                boxed,
                "{\"command\":\"sh\",\"args\":[\"-c\",\"echo kept > out.txt\"],\"working_dir\":\"" + dir + "\"}");
        assertThat(wd.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(Files.readString(dir.resolve("out.txt"))).isEqualTo("kept\n");
        assertThat(wd.metadata()).containsEntry("sandbox", "bwrap");
    }
}
