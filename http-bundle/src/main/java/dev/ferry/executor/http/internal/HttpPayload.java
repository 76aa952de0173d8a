package dev.ferry.executor.http.internal;

import dev.ferry.executor.api.InvalidPayloadException;
import dev.ferry.support.payload.PayloadReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The HTTP payload (the seed's): {@code {"method", "url", "headers", "body", "body_base64", "timeout_seconds"}}. */
final class HttpPayload {
    static final List<String> FIELDS = List.of("method", "url", "headers", "body", "body_base64", "timeout_seconds");
    static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    /** Headers the client sets itself; a task may not (the JDK client refuses most of them anyway). */
    static final Set<String> RESTRICTED = Set.of(
            "host",
            "connection",
            "content-length",
            "expect",
            "upgrade",
            "transfer-encoding",
            "te",
            "trailer",
            "keep-alive",
            "proxy-connection");

    private static final String EXAMPLE = "{\"method\":\"GET\",\"url\":\"https://example.com/\"}";

    final String method;
    final URI url;
    final List<Map.Entry<String, String>> headers;
    final byte[] body;
    final long timeoutNanos;

    private HttpPayload(
            String method, URI url, List<Map.Entry<String, String>> headers, byte[] body, long timeoutNanos) {
        this.method = method;
        this.url = url;
        this.headers = headers;
        this.body = body;
        this.timeoutNanos = timeoutNanos;
    }

    static HttpPayload parse(byte[] payload, HttpSettings settings) throws InvalidPayloadException {
        String methodText = null;
        String urlText = null;
        List<Map.Entry<String, String>> given = List.of();
        String bodyText = null;
        String body64 = null;
        Double seconds = null;
        try (PayloadReader r = PayloadReader.open(payload, "http", FIELDS, EXAMPLE)) {
            for (String name = r.nextField(); name != null; name = r.nextField()) {
                switch (name) {
                    case "method" -> methodText = r.text();
                    case "url" -> urlText = r.text();
                    case "headers" -> given = r.textEntries(true);
                    case "body" -> bodyText = r.text();
                    case "body_base64" -> body64 = r.text();
                    case "timeout_seconds" -> seconds = r.number();
                    default -> throw new IllegalStateException(name); // PayloadReader refuses fields not in FIELDS
                }
            }
            r.end();
        }
        String method = "GET";
        if (methodText != null) {
            method = methodText.toUpperCase(Locale.ROOT);
            if (!METHODS.contains(method)) {
                throw new InvalidPayloadException("method", "'" + methodText + "' is not one of " + METHODS);
            }
        }
        if (urlText == null) {
            throw new InvalidPayloadException("url", "is required, e.g. \"url\":\"https://example.com/\"");
        }
        URI url = url(urlText);

        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (Map.Entry<String, String> e : given) {
            String name = e.getKey();
            String field = "headers." + name;
            if (!isToken(name)) {
                throw new InvalidPayloadException(
                        field, "is not a legal header name (letters, digits and !#$%&'*+-.^_`|~)");
            }
            if (RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                throw new InvalidPayloadException(field, "is set by the client itself and may not be given");
            }
            String value = e.getValue();
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '\r' || c == '\n' || c == 0 || (c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                    throw new InvalidPayloadException(
                            field,
                            "contains a control character (CR, LF, NUL…) or a"
                                    + " character outside Latin-1; header injection is refused");
                }
            }
            headers.add(e);
        }

        byte[] body = null;
        if (bodyText != null && body64 != null) {
            throw new InvalidPayloadException("body_base64", "give body or body_base64, not both");
        }
        if (bodyText != null) {
            body = bodyText.getBytes(StandardCharsets.UTF_8);
        } else if (body64 != null) {
            try {
                body = Base64.getDecoder().decode(body64);
            } catch (IllegalArgumentException e) {
                throw new InvalidPayloadException("body_base64", "is not valid base64: " + e.getMessage());
            }
        }
        if (body != null && body.length > settings.maxRequestBodySize) {
            throw new InvalidPayloadException(
                    "body",
                    "is " + body.length + " bytes, over max_request_body_size (" + settings.maxRequestBodySize + ")");
        }
        if (body != null && (method.equals("GET") || method.equals("HEAD"))) {
            throw new InvalidPayloadException("body", method + " requests carry no body");
        }

        long timeout = settings.timeoutNanos;
        if (seconds != null) {
            double max = settings.timeoutNanos / 1e9;
            if (!(seconds > 0) || seconds > max) {
                throw new InvalidPayloadException(
                        "timeout_seconds",
                        "must be > 0 and at most " + max + " (timeout_seconds of " + HttpConfig.PID + "), got "
                                + seconds);
            }
            timeout = (long) (seconds * 1e9);
        }
        return new HttpPayload(method, url, List.copyOf(headers), body, timeout);
    }

    static URI url(String text) throws InvalidPayloadException {
        URI url;
        try {
            url = new URI(text);
        } catch (URISyntaxException e) {
            throw new InvalidPayloadException("url", "is not a valid URL: " + e.getMessage());
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!url.isAbsolute() || !(scheme.equals("http") || scheme.equals("https"))) {
            throw new InvalidPayloadException("url", "must be an absolute http:// or https:// URL, got '" + text + "'");
        }
        if (url.getHost() == null || url.getHost().isEmpty()) {
            throw new InvalidPayloadException(
                    "url", "has no host (or a host the URL syntax does not allow): '" + text + "'");
        }
        if (url.getRawUserInfo() != null) {
            throw new InvalidPayloadException(
                    "url", "may not carry credentials (user:password@); send an Authorization header");
        }
        return url;
    }

    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
