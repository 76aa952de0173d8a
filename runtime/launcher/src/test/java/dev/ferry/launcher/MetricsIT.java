package dev.ferry.launcher;

import static dev.ferry.launcher.GrpcIT.assertCode;
import static dev.ferry.launcher.GrpcIT.execute;
import static dev.ferry.launcher.GrpcIT.port;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.launcher.GrpcIT.Client;
import dev.ferry.worker.grpc.v1.Status;
import io.grpc.Status.Code;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Prometheus endpoint of the real worker, scraped over HTTP after tasks sent over gRPC and from the shell. */
class MetricsIT {
    private static final Pattern SAMPLE = Pattern.compile("^([a-z_]+(?:\\{[^}]*})?) (\\S+)$");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path home;

    /** Every counter matches the mix of tasks sent: by status, by rejection reason, the histogram, gRPC codes. */
    @Test
    void aScrapeCountsWhatWasSent() throws Exception {
        int metrics = freePort();
        WorkerProcess.cfg(home, "dev.ferry.metrics", "port = " + metrics);
        WorkerProcess.cfg(home, "dev.ferry.executor.command", "blocked_commands = rm");
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString());
                Client c = Client.plain(port(w, "127.0.0.1"))) {
            w.await(
                    "the endpoint",
                    Duration.ofSeconds(30),
                    l -> l.contains("Metrics on http://127.0.0.1:" + metrics + "/metrics"));
            for (int i = 0; i < 3; i++) {
                assertThat(c.worker()
                                .execute(execute("command", "{\"command\":\"echo\",\"args\":[\"ok\"]}")
                                        .build())
                                .getStatus())
                        .isEqualTo(Status.SUCCEEDED);
            }
            for (int i = 0; i < 2; i++) {
                assertThat(c.worker()
                                .execute(execute("command", "{\"command\":\"sh\",\"args\":[\"-c\",\"exit 3\"]}")
                                        .build())
                                .getStatus())
                        .isEqualTo(Status.FAILED);
            }
            assertThat(c.worker()
                            .execute(execute("command", "{\"command\":\"no-such-program\"}")
                                    .build())
                            .getStatus())
                    .isEqualTo(Status.ERROR);
            assertCode(
                    () -> c.worker().execute(execute("command", "{\"argz\":1}").build()),
                    Code.INVALID_ARGUMENT,
                    "argz");
            assertCode(
                    () -> c.worker()
                            .execute(execute("command", "{\"command\":\"rm\"}").build()),
                    Code.PERMISSION_DENIED,
                    "rm");
            assertCode(() -> c.worker().execute(execute("nope", "{}").build()), Code.NOT_FOUND, "nope");
            assertThat(String.join("\n", w.ask("executor:run command '{\"command\":\"echo\",\"args\":[\"shell\"]}'")))
                    .contains("SUCCEEDED");
            assertThat(w.ask("executor:drain http")).anyMatch(l -> l.contains("drained"));
            assertThat(w.ask("executor:run http '{\"url\":\"http://127.0.0.1:9/\"}'"))
                    .anyMatch(l -> l.startsWith("REJECTED (drained)"));

            Map<String, Double> m = scrape(metrics, null);
            assertThat(m)
                    .containsEntry("ferry_tasks_total{type=\"command\",status=\"SUCCEEDED\"}", 4.0)
                    .containsEntry("ferry_tasks_total{type=\"command\",status=\"FAILED\"}", 2.0)
                    .containsEntry("ferry_tasks_total{type=\"command\",status=\"ERROR\"}", 1.0)
                    .containsEntry("ferry_tasks_total{type=\"command\",status=\"REJECTED\"}", 2.0)
                    .containsEntry("ferry_tasks_rejected_total{type=\"command\",reason=\"INVALID_PAYLOAD\"}", 1.0)
                    .containsEntry("ferry_tasks_rejected_total{type=\"command\",reason=\"POLICY_DENIED\"}", 1.0)
                    .containsEntry("ferry_tasks_rejected_total{type=\"\",reason=\"UNKNOWN_TYPE\"}", 1.0)
                    .containsEntry("ferry_task_duration_seconds_count{type=\"command\"}", 7.0)
                    .containsEntry("ferry_task_duration_seconds_bucket{type=\"command\",le=\"+Inf\"}", 7.0)
                    .containsEntry("ferry_tasks_in_flight{type=\"command\"}", 0.0)
                    .containsEntry("ferry_type_drained{type=\"http\"}", 1.0)
                    .containsEntry("ferry_tasks_total{type=\"http\",status=\"REJECTED\"}", 1.0)
                    .containsEntry("ferry_tasks_rejected_total{type=\"http\",reason=\"DRAINED\"}", 1.0)
                    .containsEntry("ferry_type_drained{type=\"command\"}", 0.0)
                    .containsEntry("ferry_executor_services{type=\"command\"}", 1.0)
                    .containsEntry("ferry_executor_changes_total{type=\"command\",change=\"arrived\"}", 1.0)
                    .containsEntry("ferry_grpc_calls_total{method=\"ferry.worker.v1.Worker/Execute\",code=\"OK\"}", 6.0)
                    .containsEntry(
                            "ferry_grpc_calls_total{method=\"ferry.worker.v1.Worker/Execute\",code=\"INVALID_ARGUMENT\"}",
                            1.0)
                    .containsEntry(
                            "ferry_grpc_calls_total{method=\"ferry.worker.v1.Worker/Execute\",code=\"PERMISSION_DENIED\"}",
                            1.0)
                    .containsEntry(
                            "ferry_grpc_calls_total{method=\"ferry.worker.v1.Worker/Execute\",code=\"NOT_FOUND\"}", 1.0)
                    .containsKeys(
                            "process_cpu_seconds_total",
                            "process_resident_memory_bytes",
                            "jvm_threads_current",
                            "jvm_memory_used_bytes{area=\"heap\"}");
            assertThat(m.get("ferry_task_duration_seconds_sum{type=\"command\"}"))
                    .isPositive();
            double buckets = -1;
            for (String le : new String[] {"0.001", "0.01", "0.1", "1.0", "10.0", "300.0", "+Inf"}) {
                double n = m.get("ferry_task_duration_seconds_bucket{type=\"command\",le=\"" + le + "\"}");
                assertThat(n).as("buckets are cumulative").isGreaterThanOrEqualTo(buckets);
                buckets = n;
            }
            HttpResponse<String> wrongPath = get(metrics, "/other", null);
            assertThat(wrongPath.statusCode()).isEqualTo(404);
        }
    }

    /** Beyond loopback only with a token; with one, a scrape without it is refused; and the off switch. */
    @Test
    void exposureNeedsATokenAndCanBeSwitchedOff() throws Exception {
        int metrics = freePort();
        WorkerProcess.cfg(home, "dev.ferry.metrics", "host = 0.0.0.0", "port = " + metrics);
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString(), "--no-shell")) {
            port(w, "127.0.0.1");
            w.await(
                    "the refusal",
                    Duration.ofSeconds(30),
                    l -> l.contains("refusing to serve metrics on 0.0.0.0 without a token"));
            assertRefused(metrics);
        }
        // the README's example, its port and token file put where this test has them
        String token = "a-metrics-token-0123456789";
        Path tokenFile = Files.writeString(home.resolve("metrics.token"), token + "\n");
        String readme = Readme.blockAfter("`etc/dev.ferry.metrics.cfg` for a scrape from another host:");
        assertThat(readme).contains("port = 9464\n").contains("token_file = /etc/ferry/metrics.token\n");
        Files.writeString(
                home.resolve("etc/dev.ferry.metrics.cfg"),
                readme.replace("port = 9464", "port = " + metrics)
                        .replace("/etc/ferry/metrics.token", tokenFile.toString()));
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString(), "--no-shell")) {
            port(w, "127.0.0.1");
            w.await("the endpoint", Duration.ofSeconds(30), l -> l.contains("Metrics on http://0.0.0.0:" + metrics));
            HttpResponse<String> none = get(metrics, "/metrics", null);
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.body()).doesNotContain("ferry_tasks_total");
            assertThat(get(metrics, "/metrics", "Bearer wrong-token-0123456789").statusCode())
                    .isEqualTo(401);
            assertThat(scrape(metrics, "Bearer " + token)).containsKey("jvm_threads_current");
            // the scheme in any case, as gRPC takes it (security round 2, #27)
            assertThat(scrape(metrics, "bearer " + token)).containsKey("jvm_threads_current");
            assertThat(scrape(metrics, "BEARER  " + token)).containsKey("jvm_threads_current");
            assertThat(w.output()).doesNotContain(token);
        }
        // a port already taken (another worker's): said, and the worker serves on without its endpoint
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            WorkerProcess.cfg(home, "dev.ferry.metrics", "port = " + taken.getLocalPort());
            try (WorkerProcess w = WorkerProcess.start("--home", home.toString());
                    Client c = Client.plain(port(w, "127.0.0.1"))) {
                w.await(
                        "the port's problem",
                        Duration.ofSeconds(30),
                        l -> l.contains("The metrics endpoint cannot listen on 127.0.0.1:" + taken.getLocalPort())
                                && l.contains("set port in dev.ferry.metrics"));
                assertThat(c.worker()
                                .execute(execute("command", "{\"command\":\"true\"}")
                                        .build())
                                .getStatus())
                        .isEqualTo(Status.SUCCEEDED);
            }
        }
        WorkerProcess.cfg(home, "dev.ferry.metrics", "enabled = false", "port = " + metrics);
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString(), "--no-shell")) {
            port(w, "127.0.0.1");
            w.await("the off switch", Duration.ofSeconds(30), l -> l.contains("Metrics endpoint off"));
            assertRefused(metrics);
        }
    }

    /**
     * Security round 2, #6: 3,000 slow connections once made 3,051 worker threads, and 1,000 took every
     * descriptor so that gRPC answered nothing for 15 s. Now 400 connections that send one byte and wait
     * hold a few threads, gRPC answers throughout, and the endpoint scrapes again once they are cut.
     */
    @Test
    void slowConnectionsHoldAFewThreadsAndGrpcAnswersThroughout() throws Exception {
        int metrics = freePort();
        WorkerProcess.cfg(home, "dev.ferry.metrics", "port = " + metrics);
        List<java.net.Socket> slow = new java.util.ArrayList<>();
        try (WorkerProcess w = WorkerProcess.start("--home", home.toString(), "--no-shell");
                Client c = Client.plain(port(w, "127.0.0.1"))) {
            w.await("the endpoint", Duration.ofSeconds(30), l -> l.contains("Metrics on http://127.0.0.1:" + metrics));
            for (int i = 0; i < 400; i++) {
                java.net.Socket s = new java.net.Socket();
                s.connect(new java.net.InetSocketAddress("127.0.0.1", metrics), 5000);
                s.getOutputStream().write('G');
                slow.add(s);
                if (i % 100 == 99) {
                    assertThat(c.worker()
                                    .withDeadlineAfter(5, java.util.concurrent.TimeUnit.SECONDS)
                                    .execute(execute("command", "{\"command\":\"true\"}")
                                            .build())
                                    .getStatus())
                            .as("gRPC with " + (i + 1) + " slow metrics connections")
                            .isEqualTo(Status.SUCCEEDED);
                }
            }
            long metricThreads = threads(w.process.pid(), "ferry-metrics");
            assertThat(metricThreads)
                    .as("the endpoint's threads with 400 slow connections")
                    .isLessThanOrEqualTo(5);
            // each slow connection is cut at the request deadline: a scrape gets through again
            Map<String, Double> samples = dev.ferry.testing.Await.value(
                    "a scrape once the slow connections were cut", Duration.ofSeconds(30), () -> {
                        try {
                            return java.util.Optional.of(scrape(metrics, null));
                        } catch (AssertionError busy) {
                            return java.util.Optional.empty();
                        }
                    });
            assertThat(samples)
                    .as("a scrape once the slow connections were cut")
                    .containsKey("jvm_threads_current");
        } finally {
            for (java.net.Socket s : slow) {
                s.close();
            }
        }
    }

    /** Threads of a process whose name starts with a prefix (Linux names them in /proc). */
    private static long threads(long pid, String prefix) throws Exception {
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            return tasks.filter(t -> {
                        try {
                            return Files.readString(t.resolve("comm")).startsWith(prefix);
                        } catch (java.io.IOException gone) {
                            return false;
                        }
                    })
                    .count();
        }
    }

    private static void assertRefused(int port) throws Exception {
        try {
            get(port, "/metrics", null);
            throw new AssertionError("port " + port + " answered");
        } catch (ConnectException e) {
            // nothing listens
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static HttpResponse<String> get(int port, String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The samples of a scrape, by name and labels; checks the text is well formed as it goes. */
    static Map<String, Double> scrape(int port, String authorization) throws Exception {
        HttpResponse<String> r = get(port, "/metrics", authorization);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        Map<String, Double> samples = new HashMap<>();
        for (String line : r.body().split("\n")) {
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("a well-formed sample line: " + line).isTrue();
            samples.put(m.group(1), Double.parseDouble(m.group(2).replace("+Inf", "Infinity")));
        }
        return samples;
    }
}
