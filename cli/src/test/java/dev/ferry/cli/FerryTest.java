package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FerryTest {
    @Test
    void durationsAsTheShellWritesThem() {
        assertThat(Durations.parse("30s", "--timeout")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("500ms", "--timeout")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("2m", "--timeout")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("1h", "--timeout")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("45", "--timeout")).isEqualTo(Duration.ofSeconds(45));
        assertThatThrownBy(() -> Durations.parse("soon", "--timeout")).hasMessageContaining("'soon' is not a duration");
        assertThatThrownBy(() -> Durations.parse("0s", "--timeout")).hasMessageContaining("more than zero");
        assertThatThrownBy(() -> Durations.parse("", "--timeout")).hasMessageContaining("not a duration");
    }

    @Test
    void aWrongCommandLineOrPayloadFileIsExitTwoAndSaysWhy() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(Ferry.run(new String[] {"run", "command"}, o, e)).isEqualTo(Ferry.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("PAYLOAD");
        err.reset();
        assertThat(Ferry.run(new String[] {"run", "command", "@/nonexistent/payload.json"}, o, e))
                .isEqualTo(Ferry.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("/nonexistent/payload.json");
        err.reset();
        assertThat(Ferry.run(new String[] {"run", "--timeout", "soon", "command", "{}"}, o, e))
                .isEqualTo(Ferry.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("'soon' is not a duration");
        err.reset();
        assertThat(Ferry.run(new String[] {"frobnicate"}, o, e)).isEqualTo(Ferry.USAGE);
        assertThat(Ferry.run(new String[] {"--help"}, o, e)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("Exit codes:")
                .contains("7")
                .contains("outcome is unknown");
    }
}
