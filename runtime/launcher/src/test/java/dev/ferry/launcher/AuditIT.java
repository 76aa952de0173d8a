package dev.ferry.launcher;

import static dev.ferry.launcher.GrpcIT.assertCode;
import static dev.ferry.launcher.GrpcIT.bearer;
import static dev.ferry.launcher.GrpcIT.execute;
import static dev.ferry.launcher.GrpcIT.port;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.launcher.GrpcIT.Client;
import dev.ferry.worker.grpc.v1.ExecuteStreamResponse;
import dev.ferry.worker.grpc.v1.Status;
import dev.ferry.worker.grpc.v1.WorkerGrpc;
import io.grpc.Status.Code;
import io.grpc.TlsChannelCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit trail of the real worker: one JSON line per task, naming who sent it, never its payload. */
class AuditIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "an-audit-test-token-0123456789";
    private static final String MARKER = "s3cr3t-payload-marker";

    @TempDir
    Path home;

    @Test
    void everyTaskIsALineNamingItsCallerWithoutItsPayload() throws Exception {
        WorkerProcess.cfg(home, "dev.ferry.grpc", "token = " + TOKEN);
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString());
                Client c = Client.plain(port(w, "127.0.0.1"))) {
            WorkerGrpc.WorkerBlockingStub worker = c.worker().withInterceptors(bearer(TOKEN));
            assertThat(worker.execute(execute("command", "{\"command\":\"echo\",\"args\":[\"" + MARKER + "\"]}")
                                    .setTaskId("audit-1")
                                    .putMetadata("ferry.caller", "someone else")
                                    .build())
                            .getStatus())
                    .isEqualTo(Status.SUCCEEDED);
            assertCode(
                    () -> worker.execute(execute("nope", "{\"x\":\"" + MARKER + "\"}")
                            .setTaskId("audit-2")
                            .build()),
                    Code.NOT_FOUND,
                    "nope");
            Iterator<ExecuteStreamResponse> stream = WorkerGrpc.newBlockingStub(c.channel)
                    .withInterceptors(bearer(TOKEN))
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .executeStream(execute("command", "{\"command\":\"sh\",\"args\":[\"-c\",\"exit 4\"]}")
                            .setTaskId("audit-3")
                            .build());
            stream.forEachRemaining(m -> {});
            assertThat(String.join(
                            "\n", w.ask("executor:run command '{\"command\":\"echo\",\"args\":[\"" + MARKER + "\"]}'")))
                    .contains("SUCCEEDED");

            List<JsonNode> lines = awaitLines(home.resolve("data/log/audit.log"), 4);
            JsonNode ok = lines.get(0);
            assertThat(ok.get("task_id").asText()).isEqualTo("audit-1");
            assertThat(ok.get("type").asText()).isEqualTo("command");
            assertThat(ok.get("caller").asText())
                    .as("the worker's word, not the request's")
                    .isEqualTo("token");
            assertThat(ok.get("remote").asText()).startsWith("127.0.0.1:");
            assertThat(ok.get("executor").asText()).startsWith("dev.ferry.executor.command/");
            assertThat(ok.get("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(ok.get("exit_code").asInt()).isZero();
            assertThat(ok.get("duration_ms").asDouble()).isPositive();
            assertThat(ok.get("payload_bytes").asInt())
                    .isEqualTo(("{\"command\":\"echo\",\"args\":[\"" + MARKER + "\"]}").length());
            assertThat(ok.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
            JsonNode refused = lines.get(1);
            assertThat(refused.get("status").asText()).isEqualTo("REJECTED");
            assertThat(refused.get("rejection").asText()).isEqualTo("UNKNOWN_TYPE");
            JsonNode streamed = lines.get(2);
            assertThat(streamed.get("task_id").asText()).isEqualTo("audit-3");
            assertThat(streamed.get("status").asText()).isEqualTo("FAILED");
            assertThat(streamed.get("exit_code").asInt()).isEqualTo(4);
            JsonNode shell = lines.get(3);
            assertThat(shell.get("caller").asText()).isEqualTo("local shell");
            assertThat(shell.has("remote")).isFalse();
            assertThat(Files.readString(home.resolve("data/log/audit.log")))
                    .doesNotContain(MARKER)
                    .doesNotContain(TOKEN);
        }
    }

    @Test
    void aMutualTlsCallerIsNamedByItsCertificate() throws Exception {
        Path pki = Pki.mutualTls(home);
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString(), "--no-shell");
                Client c = Client.with(
                        port(w, "127.0.0.1"),
                        TlsChannelCredentials.newBuilder()
                                .trustManager(pki.resolve("ca.crt").toFile())
                                .keyManager(
                                        pki.resolve("client.crt").toFile(),
                                        pki.resolve("client.key").toFile())
                                .build())) {
            assertThat(c.worker()
                            .execute(
                                    execute("command", "{\"command\":\"true\"}").build())
                            .getStatus())
                    .isEqualTo(Status.SUCCEEDED);
            assertThat(awaitLines(home.resolve("data/log/audit.log"), 1)
                            .get(0)
                            .get("caller")
                            .asText())
                    .isEqualTo("tls:CN=client");
        }
    }

    /** Payloads only when asked, secrets masked; the file rotates at its size, keeping the files configured. */
    @Test
    void payloadsAreMaskedAndTheFileRotates() throws Exception {
        WorkerProcess.cfg(home, "dev.ferry.audit", "payloads = true", "max_file_bytes = 2048", "max_files = 2");
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString(), "--no-shell");
                Client c = Client.plain(port(w, "127.0.0.1"))) {
            for (int i = 0; i < 30; i++) { // nothing listens on port 9: each is an ERROR, audited all the same
                assertThat(c.worker()
                                .execute(execute(
                                                "http",
                                                "{\"url\":\"http://127.0.0.1:9/visible-" + i
                                                        + "\",\"headers\":{\"Authorization\":\"Bearer " + MARKER
                                                        + "\",\"X-Api-Key\":\"" + MARKER + "\"}}")
                                        .build())
                                .getStatus())
                        .isEqualTo(Status.ERROR);
            }
            Path log = home.resolve("data/log/audit.log");
            awaitText(log, "visible-29");
            List<String> all = new ArrayList<>();
            for (Path p : List.of(log, log.resolveSibling("audit.log.1"), log.resolveSibling("audit.log.2"))) {
                assertThat(p).exists();
                assertThat(Files.size(p)).as(p + " stays near its limit").isLessThanOrEqualTo(2048 + 512);
                all.addAll(Files.readAllLines(p));
            }
            assertThat(log.resolveSibling("audit.log.3")).doesNotExist();
            String text = String.join("\n", all);
            assertThat(text).doesNotContain(MARKER).contains("visible-29");
            for (String line : all) {
                String payload = JSON.readTree(line).get("payload").asText();
                assertThat(payload)
                        .contains("\"url\":\"http://127.0.0.1:9/visible-")
                        .contains("\"Authorization\":\"***\"")
                        .contains("\"X-Api-Key\":\"***\"");
            }
        }
    }

    /** The file's lines as JSON once it has at least {@code n} (the trail is written by a thread of its own). */
    private static List<JsonNode> awaitLines(Path file, int n) throws Exception {
        List<String> lines = dev.ferry.testing.Await.value(n + " line(s) in " + file, Duration.ofSeconds(30), () -> {
            List<String> now = Files.exists(file) ? Files.readAllLines(file) : List.of();
            return now.size() >= n ? java.util.Optional.of(now) : java.util.Optional.empty();
        });
        List<JsonNode> out = new ArrayList<>();
        for (String l : lines) {
            out.add(JSON.readTree(l));
        }
        return out;
    }

    private static void awaitText(Path file, String text) throws Exception {
        dev.ferry.testing.Await.until(
                text + " in " + file,
                Duration.ofSeconds(30),
                () -> Files.exists(file) && Files.readString(file).contains(text));
    }
}
