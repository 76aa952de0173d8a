package dev.ferry.executor.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.executor.api.DirectExecutionContext;
import dev.ferry.executor.api.InvalidPayloadException;
import dev.ferry.executor.api.Rejection;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;
import dev.ferry.testing.Await;
import dev.ferry.testing.StoppingContext;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.osgi.util.converter.Converters;

class HttpExecutorTest {
    private final TestServer server = new TestServer();
    private final HttpExecutor http = executor(Map.of());

    HttpExecutorTest() throws Exception {}

    @AfterEach
    void stop() {
        server.close();
        http.deactivate();
    }

    static HttpExecutor executor(Map<String, Object> config) {
        return new HttpExecutor(
                Converters.standardConverter().convert(new HashMap<>(config)).to(HttpConfig.class));
    }

    Result run(HttpExecutor executor, String json) throws Exception {
        Task task = Task.of("http", json);
        return StoppingContext.withTimeout(java.time.Duration.ofMinutes(5)).run(executor.prepare(task));
    }

    Result get(String path) throws Exception {
        return run(http, "{\"url\":\"" + server.url(path) + "\"}");
    }

    @Test
    void aGetReturnsBodyStatusAndHeaders() throws Exception {
        Result r = get("/hello");
        assertThat(r.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(r.exitCode()).isEqualTo(200);
        assertThat(r.outputAsString()).isEqualTo("hello from the test server\n");
        assertThat(r.metadata())
                .containsEntry("status_line", "HTTP/1.1 200")
                .containsEntry("header.x-test", "yes")
                .containsKeys("total_ms", "first_byte_ms", "dns_ms");
    }

    @Test
    void methodsHeadersAndBodiesGoThrough() throws Exception {
        Result post = run(
                http,
                "{\"method\":\"POST\",\"url\":\"" + server.url("/echo")
                        + "\",\"headers\":{\"X-Thing\":\"42\"},\"body\":\"payload\"}");
        assertThat(post.outputAsString()).isEqualTo("POST payload ua=ferry-worker x=42");
        assertThat(run(http, "{\"method\":\"put\",\"url\":\"" + server.url("/echo") + "\",\"body\":\"p\"}")
                        .outputAsString())
                .startsWith("PUT p");
        assertThat(run(http, "{\"method\":\"DELETE\",\"url\":\"" + server.url("/echo") + "\"}")
                        .outputAsString())
                .startsWith("DELETE ");
        Result head = run(http, "{\"method\":\"HEAD\",\"url\":\"" + server.url("/hello") + "\"}");
        assertThat(head.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(head.output()).isEmpty();
        assertThat(run(
                                http,
                                "{\"method\":\"POST\",\"url\":\"" + server.url("/echo")
                                        + "\",\"headers\":{\"User-Agent\":\"mine\"},\"body\":\"\"}")
                        .outputAsString())
                .contains("ua=mine");
    }

    @Test
    void binaryBodiesTravelAsBase64() throws Exception {
        byte[] bytes = {0, 1, 2, (byte) 0xff, 10, 13};
        Result r = run(
                http,
                "{\"method\":\"POST\",\"url\":\"" + server.url("/binary") + "\",\"body_base64\":\""
                        + Base64.getEncoder().encodeToString(bytes) + "\"}");
        assertThat(r.output()).isEqualTo(bytes);
    }

    @Test
    void clientAndServerErrorsFail() throws Exception {
        Result missing = get("/missing");
        assertThat(missing.status()).isEqualTo(Status.FAILED);
        assertThat(missing.exitCode()).isEqualTo(404);
        assertThat(missing.error()).isEqualTo("HTTP 404");
        assertThat(missing.outputAsString()).isEqualTo("not here\n");
        assertThat(get("/broken").exitCode()).isEqualTo(500);
    }

    @Test
    void aRefusedConnectionIsAnError() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Result r = run(http, "{\"url\":\"http://127.0.0.1:" + port + "/\"}");
        assertThat(r.status()).isEqualTo(Status.ERROR);
        assertThat(r.exitCode()).isEqualTo(-1);
        assertThat(r.error()).contains("connection refused");
        Result dns = run(http, "{\"url\":\"http://no-such-host.invalid/\"}");
        assertThat(dns.status()).isEqualTo(Status.ERROR);
        assertThat(dns.error()).contains("cannot resolve host");
    }

    @Test
    void redirectChainsAreFollowedAndRecorded() throws Exception {
        Result r = get("/redirect?n=3");
        assertThat(r.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(r.outputAsString()).isEqualTo("hello from the test server\n");
        assertThat(r.metadata().get("redirects")).contains("302 " + server.url("/redirect?n=3"));
        assertThat(r.metadata()).containsEntry("url", server.url("/hello"));
        Result seeOther =
                run(http, "{\"method\":\"POST\",\"url\":\"" + server.url("/see-other") + "\",\"body\":\"x\"}");
        assertThat(seeOther.outputAsString()).startsWith("GET ");
    }

    @Test
    void aRedirectLoopStops() throws Exception {
        Result r = get("/loop");
        assertThat(r.status()).isEqualTo(Status.ERROR);
        assertThat(r.error()).contains("stopped after 5 redirects");
        assertThat(server.requests.stream().filter(q -> q.equals("GET /loop")).count())
                .isEqualTo(6);
    }

    @Test
    void aRedirectToADeniedAddressIsRejectedBeforeItIsFollowed() throws Exception {
        Result r = get("/to?u=http://169.254.169.254/latest/meta-data/");
        assertThat(r.status()).isEqualTo(Status.REJECTED);
        assertThat(r.rejection()).isEqualTo(Rejection.POLICY_DENIED);
        assertThat(r.error()).contains("169.254.0.0/16").contains("redirect");
    }

    @Test
    void credentialsAreNotForwardedToAnotherOrigin() throws Exception {
        try (TestServer other = new TestServer()) {
            Result r = run(
                    http,
                    "{\"url\":\"" + server.url("/to?u=" + other.url("/hello"))
                            + "\",\"headers\":{\"Authorization\":\"Bearer secret\",\"X-Api-Key\":\"k-secret\"}}");
            assertThat(r.status()).isEqualTo(Status.SUCCEEDED);
            assertThat(server.lastAuthorization.get("/to")).isEqualTo("Bearer secret");
            assertThat(other.lastAuthorization.get("/hello")).isEqualTo("<none>");
            // every header sensitive_headers names, not only the standard credential headers
            assertThat(server.lastApiKey.get("/to")).isEqualTo("k-secret");
            assertThat(other.lastApiKey.get("/hello")).isEqualTo("<none>");
        }
    }

    @Test
    void trailingContentAfterThePayloadIsRefused() {
        assertThatThrownBy(() -> http.prepare(new Task(
                        "t",
                        "t",
                        ("{\"url\":\"" + server.url("/hello") + "\"} {\"url\":\"http://x/\"}")
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        null)))
                .isInstanceOf(dev.ferry.executor.api.InvalidPayloadException.class)
                .hasMessageContaining("has more after its closing brace");
    }

    @Test
    void aSlowServerTimesOut() throws Exception {
        long start = System.nanoTime();
        Result r = run(http, "{\"url\":\"" + server.url("/slow") + "\",\"timeout_seconds\":0.3}");
        assertThat(r.status()).isEqualTo(Status.TIMED_OUT);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(4000);
    }

    @Test
    void aHugeBodyIsCutAtTheCapWhileReading() throws Exception {
        HttpExecutor capped = executor(Map.of("max_body_size", 1024 * 1024L));
        try {
            Result r = run(capped, "{\"url\":\"" + server.url("/huge") + "\"}");
            assertThat(r.status()).isEqualTo(Status.SUCCEEDED);
            assertThat(r.output()).hasSize(1024 * 1024);
            assertThat(r.metadata()).containsEntry("body_truncated", "true");
        } finally {
            capped.deactivate();
        }
        HttpExecutor strict = executor(Map.of("max_body_size", 1024L, "body_overflow", "fail"));
        try {
            Result r = run(strict, "{\"url\":\"" + server.url("/huge") + "\"}");
            assertThat(r.status()).isEqualTo(Status.FAILED);
            assertThat(r.error()).contains("max_body_size");
        } finally {
            strict.deactivate();
        }
    }

    @Test
    void aCancelAbortsTheRequestInFlight() throws Exception {
        StoppingContext context = StoppingContext.withTimeout(java.time.Duration.ofMinutes(5));
        Task task = Task.of("http", "{\"url\":\"" + server.url("/trickle") + "\"}");
        CompletableFuture<Result> running = CompletableFuture.supplyAsync(() -> {
            try {
                return context.run(http.prepare(task));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Await.until("the body is on its way", java.time.Duration.ofSeconds(10), () -> server.trickled.get() >= 3);
        context.cancel();
        Result r = running.get(5, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(Status.CANCELLED);
        Await.until(
                "the server saw the request aborted",
                java.time.Duration.ofSeconds(10),
                () -> server.requests.contains("trickle aborted by the client"));
    }

    @Test
    void invalidPayloadsNameTheField() {
        invalid("{}", "url", "is required");
        invalid("{\"url\":\"ftp://example.com/\"}", "url", "http:// or https://");
        invalid("{\"url\":\"/relative\"}", "url", "absolute");
        invalid("{\"url\":\"http://user:pw@example.com/\"}", "url", "credentials");
        invalid("{\"url\":\"http://exa mple.com/\"}", "url", "not a valid URL");
        invalid("{\"url\":\"http://example.com/\",\"method\":\"BREW\"}", "method", "is not one of");
        invalid(
                "{\"url\":\"http://example.com/\",\"headers\":{\"X-A\":\"1\\r\\nX-Injected: 1\"}}",
                "headers.X-A",
                "control character");
        invalid(
                "{\"url\":\"http://example.com/\",\"headers\":{\"Bad Name\":\"1\"}}",
                "headers.Bad Name",
                "legal header name");
        invalid(
                "{\"url\":\"http://example.com/\",\"headers\":{\"Host\":\"evil\"}}",
                "headers.Host",
                "may not be given");
        invalid("{\"url\":\"http://example.com/\",\"headers\":{\"X-A\":5}}", "headers.X-A", "string");
        invalid("{\"url\":\"http://example.com/\",\"timeout_seconds\":0}", "timeout_seconds", "must be > 0");
        invalid("{\"url\":\"http://example.com/\",\"timeout_seconds\":9999}", "timeout_seconds", "at most 30");
        invalid("{\"url\":\"http://example.com/\",\"timeout_seconds\":\"5\"}", "timeout_seconds", "number");
        invalid(
                "{\"url\":\"http://example.com/\",\"method\":\"POST\",\"body\":\"a\",\"body_base64\":\"YQ==\"}",
                "body_base64",
                "not both");
        invalid(
                "{\"url\":\"http://example.com/\",\"method\":\"POST\",\"body_base64\":\"***\"}",
                "body_base64",
                "not valid base64");
        invalid("{\"url\":\"http://example.com/\",\"body\":\"x\"}", "body", "GET requests carry no body");
        invalid("{\"url\":\"http://example.com/\",\"metod\":\"GET\"}", "metod", "unknown field");
        invalid("[1]", null, "JSON object");
    }

    private void invalid(String payload, String field, String problem) {
        assertThatThrownBy(() -> http.prepare(new Task("t", "t", payload.getBytes(StandardCharsets.UTF_8), null)))
                .as(payload)
                .isInstanceOfSatisfying(
                        InvalidPayloadException.class,
                        e -> assertThat(e.field()).isEqualTo(field))
                .hasMessageContaining(problem);
    }

    /** Metadata addresses in every spelling a resolver might accept; none gets a byte. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "169.254.169.254",
                "2852039166",
                "0xa9fea9fe",
                "0251.0376.0251.0376",
                "169.254.43518",
                "0xA9.0xFE.0xA9.0xFE",
                "[::ffff:169.254.169.254]",
                "[::ffff:a9fe:a9fe]",
                "[::169.254.169.254]",
                "[64:ff9b::a9fe:a9fe]",
                "[fd00:ec2::254]",
                "[fe80::1]",
                "0.0.0.0",
                "0",
                "169.254.169.254."
            })
    void deniedAddressesAreCaughtInAnySpelling(String host) throws Exception {
        Task task = Task.of("http", "{\"url\":\"http://" + host + "/latest/meta-data/\"}");
        dev.ferry.executor.api.Prepared prepared;
        try {
            prepared = http.prepare(task);
        } catch (InvalidPayloadException e) {
            // spellings java.net.URI does not take as a host: refused before anything else
            assertThat(e.field()).isEqualTo("url");
            return;
        }
        Result r = prepared.execute(DirectExecutionContext.withTimeout(java.time.Duration.ofMinutes(5)));
        assertThat(r.status()).as(host).isEqualTo(Status.REJECTED);
        assertThat(r.rejection()).isEqualTo(Rejection.POLICY_DENIED);
        assertThat(r.error()).contains("nothing was sent");
    }

    /**
     * A real listener on 127.0.0.2, denied by deny_cidrs: no spelling of its address reaches it, directly
     * or through a redirect (0127.0.0.2 was once judged as octal 87.0.0.2 while the JDK connected to
     * 127.0.0.2).
     */
    @Test
    void aDeniedListenerIsReachedInNoSpellingAndThroughNoRedirect() throws Exception {
        try (TestServer denied = new TestServer(java.net.InetAddress.getByName("127.0.0.2"))) {
            int port = denied.server.getAddress().getPort();
            assertThat(run(http, "{\"url\":\"" + denied.url("/hello") + "\"}").status())
                    .as("the listener is real and reachable without the deny entry")
                    .isEqualTo(Status.SUCCEEDED);
            denied.requests.clear();
            HttpExecutor guarded = executor(Map.of("deny_cidrs", new String[] {"127.0.0.2/32"}));
            try {
                for (String host : new String[] {
                    "127.0.0.2",
                    "0127.0.0.2",
                    "127.0.0.02",
                    "0177.0.0.2",
                    "127.2",
                    "2130706434",
                    "0x7f000002",
                    "[::ffff:127.0.0.2]",
                    "127.0.0.2."
                }) {
                    Result r;
                    try {
                        r = run(guarded, "{\"url\":\"http://" + host + ":" + port + "/hello\"}");
                    } catch (InvalidPayloadException e) {
                        assertThat(e.field())
                                .as(host + " refused as a payload")
                                .isEqualTo("url"); // not a URI host at all
                        r = null;
                    }
                    if (r != null) {
                        assertThat(r.status()).as(host + ": " + r.error()).isEqualTo(Status.REJECTED);
                        assertThat(r.rejection()).isEqualTo(Rejection.POLICY_DENIED);
                    }
                    Result via = run(
                            guarded,
                            "{\"url\":\"" + server.url("/to?u=http://" + host + ":" + port + "/hello") + "\"}");
                    assertThat(via.status())
                            .as("redirect to " + host + ": " + via.error())
                            .isEqualTo(r == null ? Status.ERROR : Status.REJECTED); // ERROR: "an unusable location"
                    assertThat(via.error()).contains("redirect");
                }
                assertThat(denied.requests)
                        .as("requests that reached the denied listener")
                        .isEmpty();
            } finally {
                guarded.deactivate();
            }
        }
    }

    @Test
    void aNameThatResolvesToADeniedAddressIsDenied() throws Exception {
        HttpExecutor noLoopback = executor(Map.of("deny_cidrs", new String[] {"127.0.0.0/8", "::1/128"}));
        try {
            Result r = run(
                    noLoopback,
                    "{\"url\":\"http://localhost:" + server.server.getAddress().getPort() + "/hello\"}");
            assertThat(r.rejection()).isEqualTo(Rejection.POLICY_DENIED);
            assertThat(r.error()).contains("resolves to").contains("127.0.0.0/8");
            assertThat(server.requests).isEmpty();
        } finally {
            noLoopback.deactivate();
        }
    }

    @Test
    void anAllowlistAdmitsOnlyItsHostsAndNetworks() throws Exception {
        HttpExecutor onlyExample = executor(Map.of("allow_hosts", new String[] {"*.example.com"}));
        HttpExecutor onlyLoopback = executor(Map.of("allow_cidrs", new String[] {"127.0.0.0/8"}));
        try {
            Result denied = run(onlyExample, "{\"url\":\"" + server.url("/hello") + "\"}");
            assertThat(denied.rejection()).isEqualTo(Rejection.POLICY_DENIED);
            assertThat(denied.error()).contains("allow_hosts");
            assertThat(run(onlyLoopback, "{\"url\":\"" + server.url("/hello") + "\"}")
                            .status())
                    .isEqualTo(Status.SUCCEEDED);
        } finally {
            onlyExample.deactivate();
            onlyLoopback.deactivate();
        }
    }

    @Test
    void badConfigurationNamesTheKey() {
        assertThatThrownBy(() -> executor(Map.of("deny_cidrs", new String[] {"10.0.0.0/33"})))
                .hasMessageContaining("deny_cidrs");
        assertThatThrownBy(() -> executor(Map.of("http_version", "HTTP_3"))).hasMessageContaining("http_version");
        assertThatThrownBy(() -> executor(Map.of("body_overflow", "explode"))).hasMessageContaining("body_overflow");
        assertThatThrownBy(() -> executor(Map.of("timeout_seconds", 0.0))).hasMessageContaining("timeout_seconds");
    }

    /** Taken live, only the final answer's body goes to the sink (a redirect's is dropped), past max_body_size too. */
    @Test
    void theBodyIsStreamedWithoutItsCapAndWithoutRedirectBodies() throws Exception {
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        java.util.List<dev.ferry.executor.api.OutputSink.Channel> channels = new java.util.ArrayList<>();
        dev.ferry.executor.api.OutputSink sink = (channel, data, offset, length) -> {
            channels.add(channel);
            got.write(data, offset, length);
            return true;
        };
        Result redirected = stream("{\"url\":\"" + server.url("/redirect?n=2") + "\"}", sink);
        assertThat(redirected.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(redirected.output()).isEmpty();
        assertThat(got.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("hello from the test server\n");
        assertThat(channels).containsOnly(dev.ferry.executor.api.OutputSink.Channel.OUTPUT);
        assertThat(redirected.metadata()).containsKey("redirects");

        got.reset();
        HttpExecutor small = executor(Map.of("max_body_size", 1024));
        try {
            Result huge = small.prepare(Task.of("http", "{\"url\":\"" + server.url("/huge") + "\"}"))
                    .execute(DirectExecutionContext.withTimeout(
                            java.time.Duration.ofMinutes(1), (channel, data, offset, length) -> {
                                got.write(data, offset, length);
                                return got.size()
                                        < 3 * 1024 * 1024; // a sink that caps at 3 MB: the executor stops reading
                            }));
            assertThat(huge.status()).isEqualTo(Status.SUCCEEDED);
            assertThat(huge.metadata()).doesNotContainKey("body_truncated");
            assertThat(got.size()).isBetween(3 * 1024 * 1024, 3 * 1024 * 1024 + 64 * 1024);
        } finally {
            small.deactivate();
        }
    }

    private Result stream(String json, dev.ferry.executor.api.OutputSink sink) throws Exception {
        return http.prepare(Task.of("http", json))
                .execute(DirectExecutionContext.withTimeout(java.time.Duration.ofMinutes(1), sink));
    }
}
