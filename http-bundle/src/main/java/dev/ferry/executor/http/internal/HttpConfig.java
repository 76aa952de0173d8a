package dev.ferry.executor.http.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

// "__" in a method name is "_" in the key (the seed's snake_case names), "_" is ".".
@ObjectClassDefinition(
        id = HttpConfig.PID,
        name = "Ferry HTTP executor",
        description = "One HTTP request per task: limits, and where requests may go.")
@interface HttpConfig {
    String PID = "dev.ferry.executor.http";

    /** The limit in force when no configuration sets one: also a property of the executor service, where the registry reads it. */
    int DEFAULT_CONCURRENCY = 256;

    @AttributeDefinition(
            name = "Timeout (seconds)",
            description = "Default and maximum timeout of one request, redirects included.",
            min = "0.001")
    double timeout__seconds() default 30;

    @AttributeDefinition(
            name = "Maximum body size (bytes)",
            description = "Largest response body kept; reading stops there.",
            min = "0")
    long max__body__size() default 1024 * 1024; // the design's 1 MiB: a reply with it fits a default gRPC client

    @AttributeDefinition(
            name = "Over the body cap",
            description = "What a response larger than max_body_size gives.",
            options = {
                @Option(value = "truncate", label = "The head of the body, flagged body_truncated"),
                @Option(value = "fail", label = "A FAILED result")
            })
    String body__overflow() default "truncate";

    @AttributeDefinition(
            name = "Maximum request body (bytes)",
            description = "Largest body a task may send.",
            min = "0")
    long max__request__body__size() default 10 * 1024 * 1024;

    @AttributeDefinition(
            name = "Maximum redirects",
            description = "Redirects followed per request (0: none). Each hop is checked against the egress policy.",
            min = "0")
    int max__redirects() default 5;

    @AttributeDefinition(
            name = "HTTP version",
            options = {
                @Option(value = "HTTP_1_1", label = "HTTP/1.1"),
                @Option(value = "HTTP_2", label = "HTTP/2, falling back to HTTP/1.1")
            })
    String http__version() default "HTTP_1_1";

    @AttributeDefinition(name = "User agent", description = "User-Agent of requests that set none.")
    String user__agent() default "ferry-worker";

    @AttributeDefinition(
            name = "Concurrency",
            description = "Requests in flight at once; the registry rejects more as" + " over capacity.",
            min = "1")
    int executor_concurrency_max() default DEFAULT_CONCURRENCY;

    @AttributeDefinition(
            name = "Allowed hosts",
            required = false,
            description = "When this or allow_cidrs is set, only requests to these hosts (example.com, or *.example.com"
                    + " for its subdomains) or addresses go out.")
    @dev.ferry.support.AllowList
    String[] allow__hosts() default {};

    @AttributeDefinition(
            name = "Allowed networks",
            required = false,
            description = "CIDRs (10.1.0.0/16, 2001:db8::/32) requests may go to; see allow_hosts.")
    @dev.ferry.support.AllowList
    String[] allow__cidrs() default {};

    @AttributeDefinition(
            name = "Denied hosts",
            required = false,
            description = "Hosts (or *.domain) no request may go to, whatever the allow lists say.")
    String[] deny__hosts() default {};

    @AttributeDefinition(
            name = "Denied networks",
            description = "CIDRs no request may go to, checked on every resolved address and every redirect."
                    + " The default denies link-local and cloud metadata addresses, 'this host' and multicast.")
    String[] deny__cidrs() default {
        "169.254.0.0/16",
        "fe80::/10",
        "fd00:ec2::254/128",
        "100.100.100.200/32",
        "0.0.0.0/8",
        "::/128",
        "224.0.0.0/4",
        "ff00::/8",
        "255.255.255.255/32"
    };

    @AttributeDefinition(
            name = "Sensitive headers",
            description =
                    "Request headers (any case) never sent on to another origin when a request is redirected there.")
    String[] sensitive__headers() default {
        "Authorization",
        "Proxy-Authorization",
        "Cookie",
        "X-Api-Key",
        "Api-Key",
        "X-Auth-Token",
        "X-Access-Token",
        "X-Amz-Security-Token",
        "X-Goog-Api-Key",
        "X-Csrf-Token",
        "X-Vault-Token",
        "Private-Token",
        "X-Gitlab-Token"
    };
}
