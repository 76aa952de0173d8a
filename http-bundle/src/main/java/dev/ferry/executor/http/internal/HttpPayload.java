package dev.ferry.executor.http.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.executor.api.InvalidPayloadException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The HTTP payload (the seed's): {@code {"method", "url", "headers", "body", "body_base64", "timeout_seconds"}}. */
final class HttpPayload {
    static final Set<String> FIELDS = Set.of("method", "url", "headers", "body", "body_base64", "timeout_seconds");
    static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    /** Headers the client sets itself; a task may not (the JDK client refuses most of them anyway). */
    static final Set<String> RESTRICTED = Set.of("host", "connection", "content-length", "expect", "upgrade",
            "transfer-encoding", "te", "trailer", "keep-alive", "proxy-connection");

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            // {"command":"echo"} {"command":"rm"} is refused, not read as its first object
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    final String method;
    final URI url;
    final List<Map.Entry<String, String>> headers;
    final byte[] body;
    final long timeoutNanos;

    private HttpPayload(String method, URI url, List<Map.Entry<String, String>> headers, byte[] body, long timeoutNanos) {
        this.method = method;
        this.url = url;
        this.headers = headers;
        this.body = body;
        this.timeoutNanos = timeoutNanos;
    }

    static HttpPayload parse(byte[] payload, HttpSettings settings) throws InvalidPayloadException {
        JsonNode root;
        try {
            root = JSON.readTree(payload);
        } catch (JsonProcessingException e) {
            // a second value after the object (FAIL_ON_TRAILING_TOKENS) is said as the jdbc payload says it
            throw new InvalidPayloadException(null, (e.getOriginalMessage().startsWith("Trailing token")
                    ? "has more after its closing brace" : "not valid JSON: " + e.getOriginalMessage())
                    + "; send one object like {\"method\":\"GET\",\"url\":\"https://example.com/\"}");
        } catch (IOException e) {
            throw new InvalidPayloadException(null, "unreadable: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidPayloadException(null, "must be a JSON object like {\"method\":\"GET\",\"url\":\"https://example.com/\"}");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
            String name = it.next();
            if (!FIELDS.contains(name)) {
                throw new InvalidPayloadException(name, "unknown field; the http payload has only method, url, headers,"
                        + " body, body_base64 and timeout_seconds");
            }
        }
        String method = "GET";
        JsonNode m = root.get("method");
        if (m != null && !m.isNull()) {
            if (!m.isTextual()) {
                throw new InvalidPayloadException("method", "must be a string such as \"GET\"");
            }
            method = m.asText().toUpperCase(Locale.ROOT);
            if (!METHODS.contains(method)) {
                throw new InvalidPayloadException("method", "'" + m.asText() + "' is not one of " + METHODS);
            }
        }
        JsonNode u = root.get("url");
        if (u == null || u.isNull()) {
            throw new InvalidPayloadException("url", "is required, e.g. \"url\":\"https://example.com/\"");
        }
        if (!u.isTextual()) {
            throw new InvalidPayloadException("url", "must be a string");
        }
        URI url = url(u.asText());

        List<Map.Entry<String, String>> headers = new ArrayList<>();
        JsonNode h = root.get("headers");
        if (h != null && !h.isNull()) {
            if (!h.isObject()) {
                throw new InvalidPayloadException("headers", "must be an object of strings (or arrays of strings)");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey();
                String field = "headers." + name;
                if (!isToken(name)) {
                    throw new InvalidPayloadException(field, "is not a legal header name (letters, digits and !#$%&'*+-.^_`|~)");
                }
                if (RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                    throw new InvalidPayloadException(field, "is set by the client itself and may not be given");
                }
                List<JsonNode> values = new ArrayList<>();
                if (e.getValue().isArray()) {
                    e.getValue().forEach(values::add);
                } else {
                    values.add(e.getValue());
                }
                for (JsonNode v : values) {
                    if (!v.isTextual()) {
                        throw new InvalidPayloadException(field, "must be a string or an array of strings");
                    }
                    String value = v.asText();
                    for (int i = 0; i < value.length(); i++) {
                        char c = value.charAt(i);
                        if (c == '\r' || c == '\n' || c == 0 || (c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                            throw new InvalidPayloadException(field, "contains a control character (CR, LF, NUL…) or a"
                                    + " character outside Latin-1; header injection is refused");
                        }
                    }
                    headers.add(Map.entry(name, value));
                }
            }
        }

        byte[] body = null;
        JsonNode b = root.get("body");
        JsonNode b64 = root.get("body_base64");
        if (b != null && !b.isNull() && b64 != null && !b64.isNull()) {
            throw new InvalidPayloadException("body_base64", "give body or body_base64, not both");
        }
        if (b != null && !b.isNull()) {
            if (!b.isTextual()) {
                throw new InvalidPayloadException("body", "must be a string (use body_base64 for binary data)");
            }
            body = b.asText().getBytes(StandardCharsets.UTF_8);
        } else if (b64 != null && !b64.isNull()) {
            if (!b64.isTextual()) {
                throw new InvalidPayloadException("body_base64", "must be a base64 string");
            }
            try {
                body = Base64.getDecoder().decode(b64.asText());
            } catch (IllegalArgumentException e) {
                throw new InvalidPayloadException("body_base64", "is not valid base64: " + e.getMessage());
            }
        }
        if (body != null && body.length > settings.maxRequestBodySize) {
            throw new InvalidPayloadException("body", "is " + body.length + " bytes, over max_request_body_size ("
                    + settings.maxRequestBodySize + ")");
        }
        if (body != null && (method.equals("GET") || method.equals("HEAD"))) {
            throw new InvalidPayloadException("body", method + " requests carry no body");
        }

        long timeout = settings.timeoutNanos;
        JsonNode t = root.get("timeout_seconds");
        if (t != null && !t.isNull()) {
            if (!t.isNumber()) {
                throw new InvalidPayloadException("timeout_seconds", "must be a number of seconds");
            }
            double seconds = t.asDouble();
            double max = settings.timeoutNanos / 1e9;
            if (!(seconds > 0) || seconds > max) {
                throw new InvalidPayloadException("timeout_seconds", "must be > 0 and at most " + max
                        + " (timeout_seconds of " + HttpConfig.PID + "), got " + t.asText());
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
            throw new InvalidPayloadException("url", "has no host (or a host the URL syntax does not allow): '" + text + "'");
        }
        if (url.getRawUserInfo() != null) {
            throw new InvalidPayloadException("url", "may not carry credentials (user:password@); send an Authorization header");
        }
        return url;
    }

    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
