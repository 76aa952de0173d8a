package dev.ferry.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A service a test needs that only some machines have (a PostgreSQL server, a container engine,
 * bubblewrap): under CI ({@code CI} set, as {@code .ci/run} sets it) its absence fails the test, since
 * CI installs and starts it; by hand, the test is skipped with how to run it.
 *
 * <pre>
 * String url = Needs.env("FERRY_TEST_PG_URL", "a PostgreSQL server (jdbc:postgresql://host:port/db?user=…)");
 * </pre>
 */
public final class Needs {
    private Needs() {}

    /** @return whether this run is CI's ({@code CI} is set) */
    public static boolean underCi() {
        return System.getenv("CI") != null;
    }

    /**
     * @param present whether the thing is there
     * @param what the thing, and how to provide it by hand
     */
    public static void present(boolean present, String what) {
        if (!present && underCi()) {
            Assertions.fail(what + " is missing: .ci/run installs and starts it, so a CI run never skips this test");
        }
        Assumptions.assumeTrue(present, () -> "skipped: " + what + " is missing (.ci/run provides it)");
    }

    /**
     * @param variable an environment variable naming the service
     * @param what the service, and what the variable holds
     * @return its value
     */
    public static String env(String variable, String what) {
        String value = System.getenv(variable);
        present(value != null && !value.isBlank(), what + " (set " + variable + ")");
        return value;
    }
}
