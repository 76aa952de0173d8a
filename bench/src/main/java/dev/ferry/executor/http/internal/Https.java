package dev.ferry.executor.http.internal;

import dev.ferry.executor.api.Executor;
import java.net.http.HttpClient;
import java.util.List;

/** The HTTP executor with its default configuration, outside OSGi, for benchmarks. */
public final class Https {
    private Https() {
    }

    public static Executor withDefaults() {
        return new HttpExecutor(new HttpSettings(30_000_000_000L, 10 * 1024 * 1024, false, 10 * 1024 * 1024, 5,
                HttpClient.Version.HTTP_1_1, "ferry-bench",
                new EgressPolicy(List.of(), List.of(), List.of(), List.of("169.254.0.0/16", "fe80::/10"))));
    }
}
