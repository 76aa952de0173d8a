package dev.ferry.executor.command.internal;

import static dev.ferry.executor.command.internal.Fixtures.executor;
import static dev.ferry.executor.command.internal.Fixtures.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.executor.api.DirectExecutionContext;
import dev.ferry.executor.api.InvalidPayloadException;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ways in found by attacking the worker (issue "Security and reliability"), each reproduced here. */
class CommandSecurityTest {

    @Test
    void trailingContentAfterThePayloadIsRefused() {
        CommandExecutor e = executor(Map.of());
        assertThatThrownBy(() -> e.prepare(Task.of("command", "{\"command\":\"echo\"} {\"command\":\"rm\"}")))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessageContaining("has more after its closing brace");
    }

    /**
     * A symlink flipped between an allowed and a forbidden program while tasks run: the check and the
     * start must concern the same file, so the forbidden one never runs.
     */
    @Test
    void aSymlinkFlippedBetweenCheckAndStartNeverRunsTheForbiddenProgram(@TempDir Path dir) throws Exception {
        CommandExecutor e = executor(Map.of("allowed_commands", new String[] {"echo", "cat"}));
        Path link = dir.resolve("sw");
        Path echo = ProgramResolver.searchPath("echo").toRealPath();
        Path id = ProgramResolver.searchPath("id").toRealPath();
        Files.createSymbolicLink(link, echo);
        AtomicBoolean stop = new AtomicBoolean();
        Thread flipper = new Thread(() -> {
            Path tmp = dir.resolve("sw.tmp");
            boolean toId = true;
            while (!stop.get()) {
                try {
                    Files.deleteIfExists(tmp);
                    Files.createSymbolicLink(tmp, toId ? id : echo);
                    Files.move(tmp, link, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    toId = !toId;
                } catch (Exception ex) {
                    // keep flipping
                }
            }
        });
        flipper.start();
        int ran = 0;
        int denied = 0;
        try {
            for (int i = 0; i < 300; i++) {
                Result r = run(e, "{\"command\":\"" + link + "\",\"args\":[\"-u\"]}");
                if (r.status() == Status.SUCCEEDED) {
                    ran++;
                    // echo prints "-u"; id -u would print a number
                    assertThat(r.outputAsString()).as("run %d", i).isEqualTo("-u\n");
                } else {
                    assertThat(r.status()).isEqualTo(Status.REJECTED);
                    denied++;
                }
            }
        } finally {
            stop.set(true);
            flipper.join();
        }
        assertThat(ran).as("the allowed program ran sometimes").isPositive();
        assertThat(denied).as("the forbidden one was refused sometimes").isPositive();
    }

    @Test
    void aDetachedDaemonDiesWithItsTaskOnNormalEnd() throws Exception {
        CommandExecutor e = executor(Map.of());
        assumeTrue(
                e.health().message().contains("PID namespace per task"),
                e.health().message());
        detachADaemonAndEnd(e, "3131");
    }

    /** A task that starts a detached daemon and ends at once; the daemon must go with it. */
    private static void detachADaemonAndEnd(CommandExecutor e, String tagPrefix) throws Exception {
        String tag = tagPrefix + ProcessHandle.current().pid() % 1000;
        Result r = run(
                e,
                "{\"command\":\"sh\",\"args\":[\"-c\",\"setsid sleep " + tag
                        + " </dev/null >/dev/null 2>&1 & echo started\"]}");
        assertThat(r.status()).isEqualTo(Status.SUCCEEDED);
        awaitTrue("no 'sleep " + tag + "' left", () -> sleeping(tag) == 0);
    }

    @Test
    void aDaemonThatScrubbedItsEnvironmentDiesOnTimeout() throws Exception {
        CommandExecutor e = executor(Map.of("kill_grace_ms", 200));
        String tag = "3151" + ProcessHandle.current().pid() % 1000;
        Task task = Task.of(
                "command",
                "{\"command\":\"sh\",\"args\":[\"-c\",\"(env -i setsid sleep " + tag
                        + " </dev/null >/dev/null 2>&1 &); exec sleep 100\"]}");
        DirectExecutionContext ctx = DirectExecutionContext.withTimeout(Duration.ofMinutes(5));
        Thread runner = new Thread(() -> {
            try {
                e.prepare(task).execute(ctx);
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        });
        runner.start();
        awaitTrue("the daemon started", () -> sleeping(tag) == 1);
        ctx.timeOut();
        runner.join(TimeUnit.SECONDS.toMillis(30));
        awaitTrue("no 'sleep " + tag + "' left", () -> sleeping(tag) == 0);
    }

    @Test
    void withoutIsolationProcessesCarryingTheMarkerStillDieOnNormalEnd() throws Exception {
        CommandExecutor e = executor(Map.of("isolation", "none"));
        assertThat(e.health().message()).contains("isolation: none");
        detachADaemonAndEnd(e, "3171");
    }

    @Test
    void aProgramRunAsAnotherUserCannotReadTheWorkersSecrets(@TempDir Path dir) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "run_as_user needs a worker running as root");
        Path secret = Files.writeString(dir.resolve("secret.cfg"), "admin_password = hunter2\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        CommandExecutor asRoot = executor(Map.of());
        CommandExecutor asNobody = executor(Map.of("run_as_user", "nobody"));
        assertThat(run(asRoot, "{\"command\":\"cat\",\"args\":[\"" + secret + "\"]}")
                        .outputAsString())
                .contains("hunter2");
        Result file = run(asNobody, "{\"command\":\"cat\",\"args\":[\"" + secret + "\"]}");
        assertThat(file.status()).isEqualTo(Status.FAILED);
        assertThat(file.metadata().get("stderr")).contains("Permission denied");
        String environ = "/proc/" + ProcessHandle.current().pid() + "/environ";
        assertThat(run(asRoot, "{\"command\":\"cat\",\"args\":[\"" + environ + "\"]}")
                        .status())
                .isEqualTo(Status.SUCCEEDED);
        Result env = run(asNobody, "{\"command\":\"cat\",\"args\":[\"" + environ + "\"]}");
        assertThat(env.status()).isEqualTo(Status.FAILED);
        assertThat(run(asNobody, "{\"command\":\"id\",\"args\":[\"-u\"]}").outputAsString())
                .isEqualTo("65534\n");
    }

    @Test
    void anUnknownRunAsUserIsRefused() {
        Map<String, Object> c = new HashMap<>();
        c.put("run_as_user", "no-such-user-xyz");
        assertThatThrownBy(() -> executor(c))
                .hasMessageContaining("run_as_user")
                .hasMessageContaining("no-such-user-xyz");
    }

    @Test
    void aRefusedConfigurationAtStartRunsNothingAndSaysWhy() throws Exception {
        CommandExecutor e = new CommandExecutor(Map.of("blocked_comands", "ls"));
        assertThat(e.health().isHealthy()).isFalse();
        assertThat(e.health().message())
                .contains("'blocked_comands' is not a known key (did you mean 'blocked_commands'?)");
        assertThatThrownBy(() -> e.prepare(Task.of("command", "{\"command\":\"ls\"}")))
                .hasMessageContaining("runs no task");
        e.deactivate();
    }

    @Test
    void aRefusedConfigurationWhileRunningKeepsThePreviousOne() throws Exception {
        CommandExecutor e = new CommandExecutor(Map.of("blocked_commands", "rm, ls"));
        assertThat(run(e, "{\"command\":\"ls\"}").status()).isEqualTo(Status.REJECTED);
        e.modified(Map.of("blocked_comands", "rm"));
        assertThat(run(e, "{\"command\":\"ls\"}").status()).as("still blocked").isEqualTo(Status.REJECTED);
        assertThat(e.health().message()).contains("blocked_comands").contains("previous configuration stays");
        assertThat(e.health().isHealthy())
                .as("it runs, on the previous configuration")
                .isTrue();
        assertThat(e.health().isDegraded()).as("but the operator is told").isTrue();
        e.modified(Map.of("allowed_commands", "echo, cat"));
        assertThat(e.health().isDegraded()).as("fixed: nothing pending").isFalse();
        assertThat(run(e, "{\"command\":\"echo\",\"args\":[\"hi\"]}").status()).isEqualTo(Status.SUCCEEDED);
        assertThat(run(e, "{\"command\":\"cat\",\"stdin\":\"x\"}").status()).isEqualTo(Status.SUCCEEDED);
        assertThat(run(e, "{\"command\":\"ls\"}").status()).isEqualTo(Status.REJECTED);
        e.deactivate();
    }

    private static long sleeping(String tag) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").matches(".*sleep " + tag + "$"))
                .count();
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        dev.ferry.testing.Await.until(what, Duration.ofSeconds(20), condition::getAsBoolean);
    }
}
