package dev.ferry.worker.internal.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.executor.api.Result;
import dev.ferry.executor.api.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Security round 2, #21: max_file_bytes = 1024 once produced 25 MB files (one large payload's line). */
class AuditRotationTest {
    @Test
    void noFileGrowsPastMaxFileBytesWhateverThePayloads(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("audit.log");
        AuditTrail trail = new AuditTrail(new AuditTrail.Settings(true, true, file, 1024, 3));
        String big = "{\"command\":\"echo\",\"args\":[\"" + "é".repeat(20_000) + "\"]}";
        for (int i = 0; i < 30; i++) {
            String payload = i % 3 == 0 ? big : "{\"command\":\"echo\",\"args\":[\"" + "ü".repeat(100) + "\"]}";
            trail.ended(Task.of("command", payload), Result.succeeded("x"));
        }
        trail.deactivate();
        List<Path> files;
        try (var all = Files.list(dir)) {
            files = all.toList();
        }
        assertThat(files).hasSize(4); // audit.log and audit.log.1 … .3
        int lines = 0;
        for (Path f : files) {
            assertThat(Files.size(f)).as(f.getFileName().toString()).isLessThanOrEqualTo(1024);
            for (String line : Files.readAllLines(f)) {
                lines++;
                assertThat(line).startsWith("{\"time\":").endsWith("}");
                if (!line.contains("\"payload\"")) {
                    assertThat(line)
                            .contains("\"payload_note\":\"left out: the line would be larger than max_file_bytes");
                }
            }
        }
        assertThat(lines).isPositive();
    }
}
