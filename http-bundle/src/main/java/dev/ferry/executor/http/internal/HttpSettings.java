package dev.ferry.executor.http.internal;

import java.net.http.HttpClient;
import java.util.List;

/** The HTTP executor's configuration as checked plain values. */
final class HttpSettings {
    final long timeoutNanos;
    final long maxBodySize;
    final boolean failOnOverflow;
    final long maxRequestBodySize;
    final int maxRedirects;
    final HttpClient.Version version;
    final String userAgent;
    final EgressPolicy policy;
    /** Lower-cased names of the headers dropped on a cross-origin redirect. */
    final java.util.Set<String> sensitiveHeaders;

    HttpSettings(
            long timeoutNanos,
            long maxBodySize,
            boolean failOnOverflow,
            long maxRequestBodySize,
            int maxRedirects,
            HttpClient.Version version,
            String userAgent,
            EgressPolicy policy) {
        this(
                timeoutNanos,
                maxBodySize,
                failOnOverflow,
                maxRequestBodySize,
                maxRedirects,
                version,
                userAgent,
                policy,
                java.util.Set.of("authorization", "proxy-authorization", "cookie"));
    }

    HttpSettings(
            long timeoutNanos,
            long maxBodySize,
            boolean failOnOverflow,
            long maxRequestBodySize,
            int maxRedirects,
            HttpClient.Version version,
            String userAgent,
            EgressPolicy policy,
            java.util.Set<String> sensitiveHeaders) {
        this.sensitiveHeaders = sensitiveHeaders;
        this.timeoutNanos = timeoutNanos;
        this.maxBodySize = maxBodySize;
        this.failOnOverflow = failOnOverflow;
        this.maxRequestBodySize = maxRequestBodySize;
        this.maxRedirects = maxRedirects;
        this.version = version;
        this.userAgent = userAgent;
        this.policy = policy;
    }

    static HttpSettings from(HttpConfig c) {
        if (!(c.timeout__seconds() > 0)) {
            throw bad("timeout_seconds", "must be > 0, got " + c.timeout__seconds());
        }
        if (c.max__body__size() < 0) {
            throw bad("max_body_size", "must be >= 0, got " + c.max__body__size());
        }
        if (c.max__request__body__size() < 0) {
            throw bad("max_request_body_size", "must be >= 0, got " + c.max__request__body__size());
        }
        if (c.max__redirects() < 0) {
            throw bad("max_redirects", "must be >= 0, got " + c.max__redirects());
        }
        if (c.executor_concurrency_max() < 1) {
            throw bad("executor.concurrency.max", "must be >= 1, got " + c.executor_concurrency_max());
        }
        boolean fail = switch (c.body__overflow().trim().toLowerCase()) {
            case "truncate" -> false;
            case "fail" -> true;
            default -> throw bad("body_overflow", "must be 'truncate' or 'fail', got '" + c.body__overflow() + "'");
        };
        HttpClient.Version version =
                switch (c.http__version().trim().toUpperCase().replace('.', '_').replace('/', '_')) {
                    case "HTTP_1_1" -> HttpClient.Version.HTTP_1_1;
                    case "HTTP_2" -> HttpClient.Version.HTTP_2;
                    default -> throw bad("http_version", "must be HTTP_1_1 or HTTP_2, got '" + c.http__version() + "'");
                };
        if (c.user__agent().isBlank() || c.user__agent().chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
            throw bad("user_agent", "must be printable text, got '" + c.user__agent() + "'");
        }
        EgressPolicy policy;
        try {
            policy = new EgressPolicy(
                    List.of(c.allow__hosts()),
                    List.of(c.allow__cidrs()),
                    List.of(c.deny__hosts()),
                    List.of(c.deny__cidrs()));
        } catch (IllegalArgumentException e) {
            throw bad("allow_cidrs/deny_cidrs", e.getMessage());
        }
        java.util.Set<String> sensitive = new java.util.HashSet<>();
        for (String h : c.sensitive__headers()) {
            sensitive.add(h.trim().toLowerCase(java.util.Locale.ROOT));
        }
        return new HttpSettings(
                (long) (c.timeout__seconds() * 1e9),
                c.max__body__size(),
                fail,
                c.max__request__body__size(),
                c.max__redirects(),
                version,
                c.user__agent(),
                policy,
                java.util.Set.copyOf(sensitive));
    }

    private static IllegalArgumentException bad(String key, String problem) {
        return new IllegalArgumentException("configuration " + HttpConfig.PID + ", " + key + ": " + problem);
    }
}
