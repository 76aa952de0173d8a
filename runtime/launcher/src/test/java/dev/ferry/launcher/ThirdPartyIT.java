package dev.ferry.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A third party's executor, as the README's "Writing your own executor" tells them: the example copied
 * out of Ferry's tree builds on its own, against the API artifact only, and answers in a running worker;
 * a bundle built against API 1.x does not resolve, and the worker says which bundle, package and range.
 */
class ThirdPartyIT {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();

    @TempDir
    Path home;

    @TempDir
    Path elsewhere;

    @Test
    void anExecutorBuiltOutsideFerrysTreeAnswersAndOneBuiltAgainstApi1IsExplained() throws Exception {
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString())) {
            w.await("the ready line", START, l -> l.startsWith("ferry worker ready"));

            // built against API 1.0 (the example as it was before 2.0): installed, not resolved, and said so
            Path old = home.resolve("deploy/hello.jar");
            Files.copy(Path.of("target/test-classes/fixtures/hello-built-against-api-1.0.jar"), old);
            String logged = w.await(
                    "the unresolved bundle explained",
                    START,
                    l -> l.contains("deploy/hello.jar") && l.contains("does not resolve"));
            assertThat(logged)
                    .contains("com.example.hello 1.0.0")
                    .contains("imports package dev.ferry.executor.api [1.0.0,2.0.0), but the worker has version 2.0.0");
            List<String> list = w.ask("executor:list");
            assertThat(list).contains("Not serving:");
            assertThat(String.join("\n", list))
                    .contains("com.example.hello 1.0.0")
                    .contains(
                            "is not resolved: it imports package dev.ferry.executor.api [1.0.0,2.0.0), but the worker has"
                                    + " version 2.0.0 (rebuild it against the executor API the worker has)");
            assertThat(w.ask("executor:run hello '{\"name\":\"Ada\"}'"))
                    .anyMatch(l -> l.contains("no executor serves type 'hello'"));
            Files.delete(old);
            w.poll("executor:list", "the old bundle gone", START, lines -> !lines.contains("Not serving:"));

            // the README's commands, exactly as written, in Ferry's folder; ~ is an empty folder
            String block = Readme.blockAfter("## Writing your own executor");
            ProcessBuilder pb = new ProcessBuilder("bash", "-euo", "pipefail", "-c", block)
                    .directory(ROOT.toFile())
                    .redirectErrorStream(true);
            pb.environment().put("HOME", elsewhere.toString());
            pb.environment().put("FERRY_HOME", home.toString());
            Process build = pb.start();
            String out = new String(build.getInputStream().readAllBytes());
            assertThat(build.waitFor(10, TimeUnit.MINUTES)).isTrue();
            assertThat(build.exitValue())
                    .as("the README's commands:\n" + block + "\nprinted:\n" + out)
                    .isZero();
            assertThat(elsewhere.resolve("my-executor/pom.xml")).exists();
            assertThat(Files.readString(elsewhere.resolve("my-executor/pom.xml")))
                    .doesNotContain("<parent>");

            w.poll(
                    "executor:run hello '{\"name\":\"Ada\"}'",
                    "the rebuilt executor's answer",
                    START,
                    lines -> lines.contains("hello, Ada"));
            assertThat(w.ask("executor:list")).noneMatch(l -> l.equals("Not serving:"));
        }
    }
}
