package dev.ferry.executor.command.internal;

import static dev.ferry.executor.command.internal.Fixtures.executor;
import static dev.ferry.executor.command.internal.Fixtures.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.executor.api.InvalidPayloadException;
import dev.ferry.executor.api.Task;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The child's environment. The build starts this test's JVM with secrets and loader variables in
 * its environment (see the surefire configuration), as a worker's might have.
 */
class EnvironmentTest {

    @Test
    void secretsAndLoaderVariablesOfTheWorkerNeverReachAChild() throws Exception {
        assumeTrue(System.getenv("FERRY_TEST_TOKEN") != null, "run through Maven, which sets the variables");
        Set<String> names = childVariables(executor(Map.of()), "{\"command\":\"env\"}");
        assertThat(names)
                .contains("PATH", "FERRY_TEST_VISIBLE")
                .doesNotContain(
                        "FERRY_TEST_TOKEN",
                        "AWS_SECRET_ACCESS_KEY",
                        "LD_LIBRARY_PATH",
                        "DB_PASSWORD",
                        "GITHUB_TOKEN",
                        "JAVA_TOOL_OPTIONS");
    }

    @Test
    void aCleanEnvironmentHoldsOnlyTheBasicsAndThePayloadsVariables() throws Exception {
        Set<String> names = childVariables(
                executor(Map.of("environment", "clean")), "{\"command\":\"env\",\"env\":{\"GREETING\":\"hi\"}}");
        assertThat(names).contains("PATH", "GREETING").doesNotContain("FERRY_TEST_VISIBLE");
        assertThat(names)
                .allMatch(
                        n -> Set.of(
                                        "PATH",
                                        "HOME",
                                        "LANG",
                                        "LC_ALL",
                                        "TZ",
                                        "TMPDIR",
                                        "USER",
                                        "LOGNAME",
                                        "GREETING",
                                        ProcessTree.MARKER_VARIABLE)
                                .contains(n),
                        "only the basics");
    }

    @Test
    void aPayloadCannotSetADeniedVariable() {
        CommandExecutor executor = executor(Map.of());
        for (String name : new String[] {
            "LD_PRELOAD", "LD_LIBRARY_PATH", "MY_TOKEN", "aws_access_key_id", "PGPASSWORD", "BASH_ENV", "NODE_OPTIONS"
        }) {
            assertThatThrownBy(() -> executor.prepare(new Task(
                            "t",
                            "t",
                            ("{\"command\":\"env\",\"env\":{\"" + name + "\":\"x\"}}").getBytes(StandardCharsets.UTF_8),
                            null)))
                    .isInstanceOf(InvalidPayloadException.class)
                    .hasMessageStartingWith("env." + name + ": may not be set");
        }
    }

    /**
     * An allowed bash script cannot be made to run something else (security round 2, #4): bash imports a
     * function from BASH_FUNC_date%% (shown first, with bash itself), and PATH would change which date it
     * runs. A task may set neither, whatever env_deny says.
     */
    @Test
    void anAllowedBashScriptCannotBeGivenCodeThroughItsEnvironment(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path script = dir.resolve("report.sh");
        java.nio.file.Files.writeString(script, "#!/bin/bash\ndate +%Y\necho report done\n");
        script.toFile().setExecutable(true);
        ProcessBuilder direct = new ProcessBuilder(script.toString()).redirectErrorStream(true);
        direct.environment().put("BASH_FUNC_date%%", "() { echo imported; }");
        Process p = direct.start();
        assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .as("bash imports the function: the way in is real")
                .isEqualTo("imported\nreport done\n");
        CommandExecutor executor = executor(Map.of(
                "allowed_commands", new String[] {script.toString()}, "env_deny", new String[] {"NOTHING_AT_ALL"}));
        for (String name : new String[] {
            "BASH_FUNC_date%%",
            "BASH_FUNC_echo()",
            "SHELLOPTS",
            "PS4",
            "BASH_ENV",
            "ENV",
            "PATH",
            "PYTHONPATH",
            "PERL5OPT",
            "GCONV_PATH",
            "GLIBC_TUNABLES",
            "LD_PRELOAD"
        }) {
            assertThatThrownBy(() -> executor.prepare(new Task(
                            "t",
                            "t",
                            ("{\"command\":\"" + script + "\",\"env\":{\"" + name + "\":\"() { id; }\"}}")
                                    .getBytes(StandardCharsets.UTF_8),
                            null)))
                    .as(name)
                    .isInstanceOf(InvalidPayloadException.class)
                    .hasMessageStartingWith("env." + name + ": may not be set by a task");
        }
        assertThat(run(executor, "{\"command\":\"" + script + "\",\"env\":{\"REPORT_DAY\":\"monday\"}}")
                        .outputAsString())
                .matches("\\d{4}\nreport done\n");
    }

    @Test
    void theDenyListIsConfigurable() throws Exception {
        Set<String> names = childVariables(
                executor(Map.of("env_deny", new String[] {"FERRY_TEST_*"})),
                "{\"command\":\"env\",\"env\":{\"MY_TOKEN\":\"allowed now\"}}");
        assertThat(names).contains("MY_TOKEN").doesNotContain("FERRY_TEST_VISIBLE");
    }

    private static Set<String> childVariables(CommandExecutor executor, String payload) throws Exception {
        String env = run(executor, payload).outputAsString();
        return Arrays.stream(env.split("\n")).map(l -> l.split("=", 2)[0]).collect(Collectors.toSet());
    }
}
