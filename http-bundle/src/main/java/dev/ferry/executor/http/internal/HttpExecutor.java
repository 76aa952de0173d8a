package dev.ferry.executor.http.internal;

import dev.ferry.executor.api.ExecutionContext;
import dev.ferry.executor.api.Executor;
import dev.ferry.executor.api.ExecutorType;
import dev.ferry.executor.api.Health;
import dev.ferry.executor.api.InvalidPayloadException;
import dev.ferry.executor.api.OutputSink;
import dev.ferry.executor.api.Prepared;
import dev.ferry.executor.api.Rejection;
import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Status;
import dev.ferry.executor.api.Task;
import dev.ferry.support.Configs;
import dev.ferry.support.Configured;
import dev.ferry.support.Numbers;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code http} executor: one request per task on the JDK's HttpClient, redirects followed by
 * hand so every hop passes the egress policy, the body capped while it is read.
 */
@Designate(ocd = HttpConfig.class)
// the defaults are service properties too: the registry reads the limits from the service, and without them
// it applied its own (the container type once ran 64 at once, where its configuration said 16)
@Component(
        configurationPid = HttpConfig.PID,
        property = {Executor.MAX_CONCURRENCY + ":Integer=" + HttpConfig.DEFAULT_CONCURRENCY})
@ExecutorType("http")
public final class HttpExecutor implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(HttpExecutor.class);

    /** A client and the threads it runs on, made for one configuration. */
    private static final class Client {
        final HttpSettings settings;
        final HttpClient http;
        final ExecutorService threads;

        Client(HttpSettings settings) {
            this.settings = settings;
            this.threads = dev.ferry.support.Threads.elastic("ferry-http", 512, 30);
            this.http = HttpClient.newBuilder()
                    .followRedirects(HttpClient.Redirect.NEVER) // followed by hand, each hop checked
                    // direct connections only: the egress policy judges the address connected to
                    .proxy(HttpClient.Builder.NO_PROXY)
                    .version(settings.version)
                    .connectTimeout(Duration.ofNanos(settings.timeoutNanos))
                    .executor(threads)
                    .build();
        }
    }

    /** The client for the configuration in force: a client and its threads per configuration. */
    private final Configured<Client> client;

    @Activate
    public HttpExecutor(Map<String, Object> properties) {
        // never fall back to a more permissive egress policy: refused, no request is made until the file is fixed
        client = new Configured<Client>(LOG, "the http type", null)
                .start(() -> new Client(HttpSettings.from(Configs.read(HttpConfig.class, HttpConfig.PID, properties))));
    }

    HttpExecutor(HttpConfig config) {
        this(HttpSettings.from(config));
    }

    HttpExecutor(HttpSettings settings) {
        this.client = new Configured<>(LOG, "the http type", new Client(settings));
    }

    @Modified
    void modified(Map<String, Object> properties) {
        // the old client's threads finish their requests, then end after 30 s idle
        if (client.update(
                () -> new Client(HttpSettings.from(Configs.read(HttpConfig.class, HttpConfig.PID, properties))))) {
            LOG.info("HTTP executor reconfigured");
        }
    }

    private Client current() throws InvalidPayloadException {
        Client c = client.get();
        if (c == null) {
            throw new InvalidPayloadException(null, client.notServing());
        }
        return c;
    }

    @Deactivate
    void deactivate() {
        Client c = client.get();
        if (c != null) {
            c.threads.shutdownNow();
        }
    }

    @Override
    public Prepared prepare(Task task) throws InvalidPayloadException {
        Client c = current();
        HttpPayload payload = HttpPayload.parse(task.payload(), c.settings);
        return context -> send(c, payload, context);
    }

    @Override
    public Health health() {
        if (client.get() == null) {
            return Health.unhealthy(client.refused());
        }
        String pending = client.pendingNote();
        return pending == null ? Health.healthy() : Health.degraded(pending);
    }

    private Result send(Client c, HttpPayload payload, ExecutionContext context) throws InterruptedException {
        long start = System.nanoTime();
        // the payload's timeout_seconds, enforced with the task's own deadline by the registry's watchdog
        context.tighten(Duration.ofNanos(payload.timeoutNanos));
        URI url = payload.url;
        String method = payload.method;
        byte[] body = payload.body;
        List<Map.Entry<String, String>> headers = payload.headers;
        List<String> hops = new ArrayList<>();
        long dnsNanos = 0;
        OutputSink live = context.liveOutput().orElse(null);
        for (int hop = 0; ; hop++) {
            long dnsStart = System.nanoTime();
            String denial;
            try {
                denial = c.settings.policy.check(url.getHost());
            } catch (EgressPolicy.Unresolvable e) {
                return Result.error(e.getMessage());
            }
            dnsNanos += System.nanoTime() - dnsStart;
            if (denial != null) {
                return Result.rejected(
                        Rejection.POLICY_DENIED,
                        (hop == 0 ? "" : "redirect " + hops + " → " + url + ": ") + denial + "; nothing was sent");
            }
            long left = context.deadlineNanos() - System.nanoTime();
            if (left <= 0) {
                return timedOut(c, start);
            }
            HttpRequest request = request(c, url, method, headers, body, left);
            HttpResponse<InputStream> response;
            CappedBody received;
            long head;
            java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
            AtomicReference<InputStream> reading = new AtomicReference<>();
            // The request timeout bounds the wait for the response head; the task's deadline (the
            // watchdog's hook) bounds the body. send() with an input stream read here: the client's
            // path with the fewest thread hand-offs.
            try (ExecutionContext.Hook hook = context.onCancel(() -> abort(reading, stopped))) {
                response = c.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
                head = System.nanoTime();
                reading.set(response.body());
                if (stopped.get()) {
                    response.body().close();
                }
                // a redirect's body is read and dropped, never streamed: only the final answer's body is the output
                received = live != null && !redirects(response, c.settings)
                        ? CappedBody.stream(response.body(), live)
                        : CappedBody.read(response.body(), c.settings.maxBodySize);
            } catch (InterruptedException e) {
                // the registry stopped the task (it reports TIMED_OUT or CANCELLED itself)
                abort(reading, stopped);
                throw e;
            } catch (IOException e) {
                if (stopped.get()) {
                    // the task was stopped and its hook aborted the request: the registry answers the stop, this is its
                    // detail
                    return Result.error("the request was aborted when its task was stopped");
                }
                return failure(e, url, c, start);
            }

            int status = response.statusCode();
            Optional<String> location = response.headers().firstValue("location");
            if (redirects(response, c.settings)) {
                if (hop >= c.settings.maxRedirects) {
                    return Result.builder(Status.ERROR)
                            .exitCode(-1)
                            .error("stopped after " + c.settings.maxRedirects + " redirects (max_redirects of "
                                    + HttpConfig.PID + "): " + hops + " → " + url)
                            .build();
                }
                URI next;
                try {
                    next = HttpPayload.url(url.resolve(location.get()).toString());
                } catch (InvalidPayloadException | IllegalArgumentException e) {
                    return Result.error("redirect from " + url + " to an unusable location '" + location.get() + "': "
                            + e.getMessage());
                }
                hops.add(status + " " + url);
                if (status == 303 || ((status == 301 || status == 302) && method.equals("POST"))) {
                    method = "GET";
                    body = null;
                }
                if (!sameOrigin(url, next)) {
                    headers = withoutSensitive(
                            headers, c.settings.sensitiveHeaders); // never hand credentials to another host
                }
                url = next;
                continue;
            }
            return result(response, received, url, hops, start, head, dnsNanos, c.settings);
        }
    }

    /** Whether this response sends the request on (a redirect followed, up to max_redirects). */
    private static boolean redirects(HttpResponse<?> response, HttpSettings settings) {
        int status = response.statusCode();
        return status >= 300
                && status < 400
                && status != 304
                && settings.maxRedirects > 0
                && response.headers().firstValue("location").isPresent();
    }

    private static HttpRequest request(
            Client c, URI url, String method, List<Map.Entry<String, String>> headers, byte[] body, long timeoutNanos) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(Duration.ofNanos(timeoutNanos));
        boolean agent = false;
        for (Map.Entry<String, String> h : headers) {
            b.header(h.getKey(), h.getValue());
            agent |= h.getKey().equalsIgnoreCase("user-agent");
        }
        if (!agent) {
            b.header("User-Agent", c.settings.userAgent);
        }
        b.method(
                method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        return b.build();
    }

    private static Result result(
            HttpResponse<?> response,
            CappedBody body,
            URI url,
            List<String> hops,
            long start,
            long head,
            long dnsNanos,
            HttpSettings settings) {
        int status = response.statusCode();
        boolean failed = status >= 400 || (body.truncated && settings.failOnOverflow);
        Result.Builder b = Result.builder(failed ? Status.FAILED : Status.SUCCEEDED)
                .output(body.bytes)
                .exitCode(status)
                .metadata(
                        "status_line",
                        (response.version() == HttpClient.Version.HTTP_2 ? "HTTP/2 " : "HTTP/1.1 ") + status)
                .metadata("url", url.toString())
                .metadata("dns_ms", Numbers.millis(dnsNanos))
                .metadata("total_ms", Numbers.millis(System.nanoTime() - start));
        b.metadata("first_byte_ms", Numbers.millis(head - start));
        if (!hops.isEmpty()) {
            b.metadata("redirects", String.join(" → ", hops));
        }
        response.headers().map().forEach((name, values) -> {
            if (!name.startsWith(":")) {
                b.metadata("header." + name.toLowerCase(Locale.ROOT), String.join(", ", values));
            }
        });
        if (body.truncated) {
            b.metadata("body_truncated", "true");
            if (settings.failOnOverflow) {
                b.error("the response body is larger than max_body_size (" + settings.maxBodySize + " bytes)");
            }
        }
        if (status >= 400) {
            b.error("HTTP " + status);
        }
        return b.build();
    }

    private static Result failure(IOException e, URI url, Client c, long start) {
        if (e instanceof HttpConnectTimeoutException || e instanceof HttpTimeoutException) {
            return timedOut(c, start);
        }
        Throwable cause = e;
        while (cause.getCause() != null
                && cause.getCause() != cause
                && !(cause instanceof ConnectException)
                && !(cause instanceof SSLException)) {
            cause = cause.getCause();
        }
        String what;
        if (cause instanceof ConnectException || e instanceof ConnectException) {
            what = "connection refused by " + url.getHost() + ":" + port(url);
        } else if (cause instanceof SSLException) {
            what = "TLS with " + url.getHost() + " failed: " + cause.getMessage();
        } else {
            what = "request to " + url + " failed: " + e;
        }
        return Result.error(what);
    }

    private static Result timedOut(Client c, long start) {
        return Result.builder(Status.TIMED_OUT)
                .exitCode(-1)
                .error("no complete response within " + Numbers.millis(System.nanoTime() - start) + " ms")
                .build();
    }

    /** Stops a request: closing the body stream aborts it, and wakes the thread reading it. */
    private static void abort(AtomicReference<InputStream> reading, java.util.concurrent.atomic.AtomicBoolean stopped) {
        stopped.set(true);
        InputStream in = reading.get();
        if (in != null) {
            try {
                in.close();
            } catch (IOException e) {
                // closing is all we can do
            }
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI u) {
        return u.getPort() != -1 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    private static List<Map.Entry<String, String>> withoutSensitive(
            List<Map.Entry<String, String>> headers, java.util.Set<String> sensitive) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (Map.Entry<String, String> h : headers) {
            String n = h.getKey().toLowerCase(Locale.ROOT);
            if (!sensitive.contains(n)) {
                out.add(h);
            }
        }
        return out;
    }
}
