package dev.ferry.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.slf4j.helpers.NOPLogger;

class ConfiguredTest {
    private static String refuse() {
        throw new IllegalArgumentException("configuration etc/x.cfg refused: 'k' is not a known key");
    }

    @Test
    void refusedAtStartThereAreNoSettingsAndTasksAreToldWhy() {
        Configured<String> c =
                new Configured<String>(NOPLogger.NOP_LOGGER, "the x type", null).start(ConfiguredTest::refuse);
        assertThat(c.get()).isNull();
        assertThat(c.notServing())
                .isEqualTo("the x type runs no task: its configuration etc/x.cfg refused: 'k' is not a known key");
        assertThat(c.update(() -> "good")).isTrue();
        assertThat(c.get()).isEqualTo("good");
        assertThat(c.refused()).isNull();
        assertThat(c.pendingNote()).isNull();
    }

    @Test
    void refusedWhileRunningThePreviousSettingsStayAndSaySo() {
        Configured<String> c = new Configured<String>(NOPLogger.NOP_LOGGER, "the x type", null).start(() -> "first");
        assertThat(c.update(ConfiguredTest::refuse)).isFalse();
        assertThat(c.get()).isEqualTo("first");
        assertThat(c.pendingNote()).contains("'k' is not a known key").endsWith("the previous configuration stays");
    }
}
