package dev.ferry.launcher;

import static dev.ferry.launcher.GrpcIT.port;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Node.js examples, run as written with Node's own gRPC client (only the port is the test worker's):
 * {@code .ci/run} installs {@code @grpc/grpc-js} and {@code @grpc/proto-loader} and sets FERRY_TEST_NODE_MODULES.
 * Without them the tests are skipped, saying so; under CI they fail instead.
 */
class NodeClientIT {
    private static final String MODULES = System.getenv("FERRY_TEST_NODE_MODULES");
    /** What the build gives a client: worker.proto and grpc/health/v1/health.proto, as the README says. */
    private static final Path PROTOS = Path.of("../../proto/target/proto");

    @TempDir
    Path home;

    @TempDir
    Path client;

    @BeforeAll
    static void node() {
        dev.ferry.testing.Needs.present(
                MODULES != null,
                "the Node.js gRPC client (FERRY_TEST_NODE_MODULES, a node_modules"
                        + " folder holding @grpc/grpc-js and @grpc/proto-loader)");
    }

    @Test
    void theReadmesNodeExamplesWork() throws Exception {
        WorkerProcess.cfg(home, "dev.ferry.executor.command", "blocked_commands = rm");
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString(), "--no-shell")) {
            String address = "127.0.0.1:" + port(w, "127.0.0.1");
            // the README's "copy that folder's contents where your client runs"
            try (var files = Files.walk(PROTOS)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Path to = client.resolve(PROTOS.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(f, to);
                    }
                }
            }

            String example = Readme.blockAfter("Or in Node.js, with only the `.proto` files in the current folder");
            assertThat(node(example, address)).isEqualTo("SUCCEEDED 0 hello\n\n");
            // the same example, as its comments say, for a task that times out and one the worker refuses
            String sleep = example.replace("{command: 'echo', args: ['hello']}", "{command: 'sleep', args: ['10']}")
                    .replace("timeout: {seconds: 5}", "timeout: {seconds: 1}");
            assertThat(sleep).isNotEqualTo(example);
            assertThat(node(sleep, address)).isEqualTo("TIMED_OUT -1 \n");
            String refused =
                    example.replace("{command: 'echo', args: ['hello']}", "{command: 'rm', args: ['/nothing']}");
            assertThat(node(refused, address)).startsWith("PERMISSION_DENIED: command 'rm'");

            assertThat(node(
                            Readme.blockAfter("The health of a type, with `grpc/health/v1/health.proto` beside it"),
                            address))
                    .isEqualTo("SERVING\n");

            String stream = node(Readme.blockAfter("In Node.js, a long task's lines as they come"), address);
            assertThat(stream).isEqualTo("step 1\nstep 2\nstep 3\nSUCCEEDED\n");
        }
    }

    /** Runs a README block with node, the worker's address put in for the README's; returns what it printed. */
    private String node(String example, String address) throws Exception {
        assertThat(example).contains("'127.0.0.1:50051'");
        Path script = Files.writeString(client.resolve("example.js"), example.replace("127.0.0.1:50051", address));
        ProcessBuilder pb = new ProcessBuilder("node", script.toString())
                .directory(client.toFile())
                .redirectErrorStream(true);
        pb.environment().put("NODE_PATH", MODULES);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
