package dev.ferry.worker.internal.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Security round 2, #7 and #14: what the audit trail's payload masking misses, and what it costs. */
class AuditMaskTest {
    private static String masked(String json) {
        return AuditTrail.masked(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void secretValuesOfAnyTypeAndSpellingAreMasked() {
        String out = masked(
                "{\"url\":\"http://x/\",\"headers\":{\"Authorization\":[\"Bearer abc123\"],\"Cookie\":\"sid=s3cr3t\","
                        + "\"X-Trace\":\"t1\"},\"env\":{\"ENCRYPTION_KEY\":\"k3y\",\"DB_PASSWORD\":\"pw\"},\"password\":12345,"
                        + "\"pass\\u0077ord2\":\"escaped\",\"nested\":{\"token\":{\"value\":\"deep\"}},\"args\":[\"plain\"]}");
        assertThat(out)
                .doesNotContain("abc123", "s3cr3t", "k3y", "\"pw\"", "12345", "escaped", "deep")
                .contains("\"X-Trace\":\"t1\"", "\"args\":[\"plain\"]", "\"url\":\"http://x/\"")
                .contains("\"Authorization\":\"***\"", "\"password\":\"***\"");
    }

    @Test
    void aPayloadThatIsNotJsonIsNotWrittenAtAll() {
        assertThat(masked("{\"password\": \"half")).isNull();
        assertThat(masked("password=s3cr3t")).isNull();
    }

    /**
     * Linear in the payload's size: a 600 KB payload of keys that look secret once took 30 s (a regex that
     * backtracked). Measured against the time to read the same payload with no key to mask, in the same run,
     * so the machine's speed cancels out: a quadratic masker is hundreds of times slower here.
     */
    @Test
    void maskingALargePayloadCostsAboutAsMuchAsReadingIt() {
        StringBuilder secretLooking = new StringBuilder("{\"a\":\"");
        StringBuilder plain = new StringBuilder("{\"a\":\"");
        for (int i = 0; i < 100_000; i++) {
            secretLooking.append("token\\\"");
            plain.append("abcdefg");
        }
        String big = secretLooking.append("\",\"token\":\"x\"}").toString();
        String same = plain.append("\",\"other\":\"x\"}").toString();
        masked(same); // warm
        long plainNanos = Long.MAX_VALUE;
        long secretNanos = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            assertThat(masked(same)).isNotNull();
            long t1 = System.nanoTime();
            assertThat(masked(big)).endsWith("\"token\":\"***\"}");
            long t2 = System.nanoTime();
            plainNanos = Math.min(plainNanos, t1 - t0);
            secretNanos = Math.min(secretNanos, t2 - t1);
        }
        assertThat(secretNanos)
                .as("masking %d bytes against reading %d", big.length(), same.length())
                .isLessThan(20 * plainNanos + 50_000_000L);
    }
}
