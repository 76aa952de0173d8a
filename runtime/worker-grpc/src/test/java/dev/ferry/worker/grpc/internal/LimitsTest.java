package dev.ferry.worker.grpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Security round 2, #28: task ids that change how a log line or the audit trail reads are refused. */
class LimitsTest {
    @Test
    void idsThatWouldSpoofALogLineAreRefused() {
        for (String id : new String[] {
            "job-\u202Egnp.exe",
            "a\u2028b",
            "a\u2029b",
            "a\u2066b",
            "a\u200Fb",
            "a\u200Bb",
            "a\u001b[31mred",
            "a\nb",
            "a\u0085b",
            "a\uD800b",
            "a\uDB40\uDC01b"
        }) {
            assertThat(Limits.problem("command", id, Map.of())).as(id).startsWith("task_id holds control, format");
        }
        for (String id : new String[] {"job-42", "täglich-ü", "作业-1", "emoji-\uD83D\uDE80", "with space"}) {
            assertThat(Limits.problem("command", id, Map.of())).as(id).isNull();
        }
        assertThat(Limits.problem("comm\u202Eand", "x", Map.of())).startsWith("task_type holds control");
    }
}
