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
    private static final Path PROTO = Path.of("../grpc/src/main/proto/ferry/worker/v1/worker.proto");

    @TempDir
    Path home;
    @TempDir
    Path client;

    @BeforeAll
    static void node() {
        WorkerProcess.requires(MODULES != null,
                "FERRY_TEST_NODE_MODULES is not set: .ci/run installs the Node.js gRPC client and sets it",
                "no Node.js gRPC client: set FERRY_TEST_NODE_MODULES to a node_modules folder holding @grpc/grpc-js and"
                        + " @grpc/proto-loader, as .ci/run does, to run these tests");
    }

    @Test
    void theReadmesNodeExamplesWork() throws Exception {
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString(), "--no-shell")) {
            String address = "127.0.0.1:" + port(w, "127.0.0.1");
            Files.copy(PROTO, client.resolve("worker.proto"));

            String execute = node(Readme.blockAfter("Or in Node.js, with only the `.proto` file"), address);
            assertThat(execute).isEqualTo("SUCCEEDED hello\n\n");

            String stream = node(Readme.blockAfter("In Node.js, a long task's lines as they come"), address);
            assertThat(stream).isEqualTo("step 1\nstep 2\nstep 3\nSUCCEEDED\n");
        }
    }

    /** Runs a README block with node, the worker's address put in for the README's; returns what it printed. */
    private String node(String example, String address) throws Exception {
        assertThat(example).contains("'127.0.0.1:50051'");
        Path script = Files.writeString(client.resolve("example.js"), example.replace("127.0.0.1:50051", address));
        ProcessBuilder pb = new ProcessBuilder("node", script.toString()).directory(client.toFile()).redirectErrorStream(true);
        pb.environment().put("NODE_PATH", MODULES);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
