package dev.ferry.launcher;

import static dev.ferry.launcher.GrpcIT.check;
import static dev.ferry.launcher.GrpcIT.port;
import static dev.ferry.launcher.StreamIT.command;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.launcher.GrpcIT.Client;
import dev.ferry.worker.grpc.v1.ExecuteRequest;
import dev.ferry.worker.grpc.v1.ExecuteResponse;
import dev.ferry.worker.grpc.v1.Status;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator does to a running worker, from its shell, while clients keep sending tasks. */
class OperatorIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path home;

    /**
     * Four clients send tasks without pause; the operator drains the type, then resumes it. Every call is
     * answered: SUCCEEDED, or UNAVAILABLE naming the drain; tasks running when it began finish; after the
     * resume tasks succeed again.
     */
    @Test
    void drainAndResumeUnderLoadLoseNoTask() throws Exception {
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString());
                Client c = Client.plain(port(w, "127.0.0.1"))) {
            ExecuteRequest task = command("sh", "-c", "sleep 0.05; echo done");
            AtomicInteger succeeded = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            List<String> wrong = new CopyOnWriteArrayList<>();
            AtomicBoolean go = new AtomicBoolean(true);
            ExecutorService clients = Executors.newFixedThreadPool(4);
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                running.add(clients.submit(() -> {
                    while (go.get()) {
                        try {
                            ExecuteResponse r = c.worker().execute(task);
                            if (r.getStatus() == Status.SUCCEEDED
                                    && r.getOutput().toStringUtf8().equals("done\n")) {
                                succeeded.incrementAndGet();
                            } else {
                                wrong.add(r.toString());
                            }
                        } catch (StatusRuntimeException e) {
                            if (e.getStatus().getCode() == Code.UNAVAILABLE
                                    && e.getStatus().getDescription().contains("disk swap")
                                    && e.getStatus().getDescription().contains("executor:resume command")) {
                                refused.incrementAndGet();
                            } else {
                                wrong.add(e.getStatus().toString());
                            }
                        }
                    }
                }));
            }
            await("tasks running", () -> succeeded.get() >= 20);

            List<String> drained = w.ask("executor:drain command 'disk swap'");
            assertThat(String.join("\n", drained)).contains("type 'command' drained: new tasks are refused");
            int before = succeeded.get();
            await("tasks refused with the reason", () -> refused.get() >= 20);
            assertThat(succeeded.get() - before)
                    .as("only tasks running at the drain finish after it")
                    .isLessThanOrEqualTo(4);
            await(
                    "the type's health down",
                    () -> c.health().check(check("executor.command")).getStatus() == ServingStatus.NOT_SERVING);
            assertThat(String.join("\n", w.ask("executor:list"))).contains("drained for maintenance (disk swap)");
            assertThat(c.health().check(check("executor.http")).getStatus())
                    .as("other types serve on")
                    .isEqualTo(ServingStatus.SERVING);

            assertThat(w.ask("executor:resume command")).contains("type 'command' takes tasks again");
            int resumedAt = succeeded.get();
            await("tasks succeeding again", () -> succeeded.get() >= resumedAt + 20);
            await(
                    "the type's health up",
                    () -> c.health().check(check("executor.command")).getStatus() == ServingStatus.SERVING);

            go.set(false);
            for (Future<?> f : running) {
                f.get(30, TimeUnit.SECONDS);
            }
            clients.shutdown();
            assertThat(wrong)
                    .as("answers other than SUCCEEDED or the drain's UNAVAILABLE")
                    .isEmpty();
            assertThat(w.ask("executor:resume command")).contains("type 'command' is not drained");

            // the README's example, as written
            List<String> readme = Readme.blockAfter("Before you work on what a type depends on")
                    .lines()
                    .toList();
            assertThat(readme.get(0)).startsWith("g! executor:drain jdbc");
            assertThat(w.ask(readme.get(0).substring(3)))
                    .contains("type 'jdbc' drained: new tasks are refused, 0 running finish;"
                            + " executor:resume jdbc undoes it"); // the README's shows 2 running: none run here
            assertThat(String.join("\n", w.ask("executor:list")))
                    .contains("drained for maintenance (database upgrade)");
            assertThat(readme.get(2)).isEqualTo("g! executor:resume jdbc");
            assertThat(w.ask(readme.get(2).substring(3))).contains(readme.get(3));
            assertThat(String.join("\n", w.ask("executor:drain nope"))).contains("error: no executor type 'nope'");
        }
    }

    /** Every executor command and each of its parameters explain themselves in help. */
    @Test
    void everyCommandHasHelp() throws Exception {
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString())) {
            port(w, "127.0.0.1");
            for (String command : List.of("list", "run", "validate", "health", "stats", "config", "drain", "resume")) {
                String help = String.join("\n", w.ask("help executor:" + command));
                assertThat(help)
                        .as(command)
                        .contains(command + " - ")
                        .contains("scope: executor")
                        .doesNotContain("   String   \n");
            }
            assertThat(String.join("\n", w.ask("help executor:run")))
                    .contains("the payload, JSON in single quotes")
                    .contains("30 (seconds), 30s, 500ms, 2m, 1h")
                    .contains("-f, --follow");
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        dev.ferry.testing.Await.until(what, WAIT, condition::getAsBoolean);
    }

    /**
     * The two-minute tour's commands as the README writes them, each answered as the README shows it (its first
     * word: SUCCEEDED, TIMED_OUT, invalid, REJECTED), the http line against a web server started as the README
     * says (python3's, on a free port put in for 8000).
     */
    @Test
    void theToursCommandsAnswerAsTheReadmeShows() throws Exception {
        String tour = Readme.blockAfter("Every executor command lives in the `executor` scope");
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Process web = new ProcessBuilder("python3", "-m", "http.server", Integer.toString(port), "--bind", "127.0.0.1")
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString())) {
            w.await("the ready line", WAIT, l -> l.startsWith("ferry worker ready"));
            await("python3's web server", () -> open(port));
            List<String> lines = tour.lines().toList();
            int commands = 0;
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).startsWith("g! executor:")
                        || lines.get(i).startsWith("g! executor:list")
                        || lines.get(i).startsWith("g! executor:health")
                        || lines.get(i).startsWith("g! executor:stats")) {
                    continue;
                }
                String command = lines.get(i).substring(3).replace("127.0.0.1:8000", "127.0.0.1:" + port);
                String shown = lines.get(i + 1).split(" ")[0];
                // asked until it answers so (the embedded datasource opens just after the ready line), bounded
                w.poll(
                        command,
                        "'" + shown + "' as the README shows",
                        WAIT,
                        answer ->
                                !answer.isEmpty() && answer.get(0).split(" ")[0].equals(shown));
                commands++;
            }
            assertThat(commands).as("the tour's commands").isGreaterThanOrEqualTo(5);
        } finally {
            web.destroy();
            web.waitFor();
        }
    }

    private static boolean open(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
