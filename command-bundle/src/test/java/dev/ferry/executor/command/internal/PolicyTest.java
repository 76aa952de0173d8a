package dev.ferry.executor.command.internal;

import static dev.ferry.executor.command.internal.Fixtures.executor;
import static dev.ferry.executor.command.internal.Fixtures.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.executor.api.Rejection;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each allow/block rule, and each way around it a caller might try. */
class PolicyTest {
    private final CommandExecutor blockRm = executor(Map.of("blocked_commands", new String[] {"rm"}));
    private final CommandExecutor onlyEcho = executor(Map.of("allowed_commands", new String[] {"echo"}));

    @TempDir
    Path dir;

    @Test
    void aBlockedProgramIsRejectedByName() throws Exception {
        assertDenied(blockRm, "{\"command\":\"rm\",\"args\":[\"--version\"]}", "blocked_commands");
    }

    @Test
    void aBlockedProgramIsRejectedByEveryPathToIt() throws Exception {
        Path rm = ProgramResolver.searchPath("rm");
        assertDenied(blockRm, "{\"command\":\"" + rm + "\"}", "blocked");
        assertDenied(blockRm, "{\"command\":\"/usr/bin/../bin/rm\"}", "blocked");
        assertDenied(blockRm, "{\"command\":\"/bin/rm\"}", "blocked");
        assertDenied(blockRm, "{\"command\":\"./rm\",\"working_dir\":\"" + rm.getParent() + "\"}", "blocked");
    }

    @Test
    void aSymlinkUnderAnotherNameIsStillTheBlockedProgram() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("safe"), ProgramResolver.searchPath("rm"));
        assertDenied(blockRm, "{\"command\":\"" + link + "\"}", "blocked");
    }

    @Test
    void aHardLinkUnderAnotherNameIsStillTheBlockedFile() throws Exception {
        Path link = dir.resolve("harmless");
        try {
            Files.createLink(link, ProgramResolver.searchPath("rm").toRealPath());
        } catch (IOException | UnsupportedOperationException e) {
            assumeTrue(false, "cannot hard-link across file systems here: " + e);
        }
        assertDenied(blockRm, "{\"command\":\"" + link + "\"}", "blocked");
    }

    @Test
    void anAllowlistAdmitsOnlyItsPrograms() throws Exception {
        assertThat(run(onlyEcho, "{\"command\":\"echo\",\"args\":[\"ok\"]}").outputAsString())
                .isEqualTo("ok\n");
        assertThat(run(onlyEcho, "{\"command\":\"" + ProgramResolver.searchPath("echo") + "\",\"args\":[\"ok\"]}")
                        .status())
                .isEqualTo(Status.SUCCEEDED);
        assertDenied(onlyEcho, "{\"command\":\"ls\"}", "not in allowed_commands");
    }

    @Test
    void shellsAreProgramsLikeAnyOther() throws Exception {
        assertDenied(onlyEcho, "{\"command\":\"sh\",\"args\":[\"-c\",\"echo hi\"]}", "not in allowed_commands");
        assertDenied(onlyEcho, "{\"command\":\"bash\",\"args\":[\"-c\",\"echo hi\"]}", "not in allowed_commands");
        CommandExecutor shellToo = executor(Map.of("allowed_commands", new String[] {"echo", "sh"}));
        assertThat(run(shellToo, "{\"command\":\"sh\",\"args\":[\"-c\",\"echo hi\"]}")
                        .outputAsString())
                .isEqualTo("hi\n");
    }

    @Test
    void aProgramPlantedUnderAnAllowedNameIsNotAllowed() throws Exception {
        Path fake = plant("echo");
        assertDenied(onlyEcho, "{\"command\":\"" + fake + "\"}", "not in allowed_commands");
        assertDenied(onlyEcho, "{\"command\":\"./echo\",\"working_dir\":\"" + dir + "\"}", "not in allowed_commands");
    }

    /** A payload's PATH is refused outright: it would reach the program, and what that program starts. */
    @Test
    void aPathInThePayloadIsRefused() throws Exception {
        plant("echo");
        assertThatThrownBy(() -> onlyEcho.prepare(dev.ferry.executor.api.Task.of(
                        "command", "{\"command\":\"echo\",\"args\":[\"real\"],\"env\":{\"PATH\":\"" + dir + "\"}}")))
                .isInstanceOf(dev.ferry.executor.api.InvalidPayloadException.class)
                .hasMessageContaining("env.PATH: may not be set by a task");
        Result r = run(onlyEcho, "{\"command\":\"echo\",\"args\":[\"real\"]}");
        assertThat(r.outputAsString()).isEqualTo("real\n");
        assertThat(r.metadata().get("program"))
                .isEqualTo(ProgramResolver.searchPath("echo").toString());
    }

    /**
     * Security round 2, #24: with an allow list, a file that does not exist, one that is not executable, a
     * folder and an existing program not allowed all get the same answer, which names no real path.
     */
    @Test
    void anAllowListAnswersAlikeWhetherAFileExistsOrNot() throws Exception {
        Path notExecutable = java.nio.file.Files.writeString(dir.resolve("data.txt"), "x");
        java.util.Set<String> answers = new java.util.HashSet<>();
        for (String probe : new String[] {
            dir.resolve("nothing-here").toString(),
            notExecutable.toString(),
            dir.toString(),
            "/usr/bin/id",
            "no-such-program-anywhere"
        }) {
            Result r = run(onlyEcho, "{\"command\":\"" + probe + "\"}");
            assertThat(r.status()).as(probe).isEqualTo(Status.REJECTED);
            assertThat(r.error()).as(probe).doesNotContain("exist", "executable", "/usr/bin/id (");
            answers.add(r.error().replace(probe, "<probe>"));
        }
        assertThat(answers).as("one answer, whatever the probe").hasSize(1);
        // the allowed program's own name may still say it is missing: the list names it already
        CommandExecutor allowsMissing = executor(Map.of("allowed_commands", new String[] {"no-such-program-anywhere"}));
        assertThat(run(allowsMissing, "{\"command\":\"no-such-program-anywhere\"}")
                        .error())
                .contains("command not found");
    }

    @Test
    void theBlocklistWinsOverTheAllowlist() throws Exception {
        CommandExecutor both = executor(Map.of(
                "allowed_commands", new String[] {"echo", "rm"}, "blocked_commands", new String[] {"/usr/bin/rm"}));
        assertDenied(both, "{\"command\":\"rm\"}", "blocked");
    }

    private Path plant(String name) throws IOException {
        Path fake = dir.resolve(name);
        Files.writeString(fake, "#!/bin/sh\necho planted\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        return fake;
    }

    private static void assertDenied(CommandExecutor executor, String payload, String why) throws Exception {
        Result r = run(executor, payload);
        assertThat(r.status()).as(payload).isEqualTo(Status.REJECTED);
        assertThat(r.rejection()).isEqualTo(Rejection.POLICY_DENIED);
        assertThat(r.error()).contains(why);
    }
}
