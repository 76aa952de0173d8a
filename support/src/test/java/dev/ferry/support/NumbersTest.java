package dev.ferry.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class NumbersTest {

    /** Under a German default locale, String.format writes 10,201; these never do. */
    @Test
    void numbersIgnoreTheDefaultLocale() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY);
        try {
            assertThat(String.format("%.3f", 10.2014)).as("the trap").isEqualTo("10,201");
            assertThat(Numbers.decimal(10.2014, 3)).isEqualTo("10.201");
            assertThat(Numbers.seconds(1_500_000_000L)).isEqualTo("1.500s");
            assertThat(Numbers.millis(10_201_400L)).isEqualTo("10.201");
            // the executors' durations (duration_ms, total_ms …): cut to the microsecond, never negative
            assertThat(Numbers.millis(1_234_567_890L)).isEqualTo("1234.567");
            assertThat(Numbers.millis(5_000L)).isEqualTo("0.005");
            assertThat(Numbers.millis(70_000L)).isEqualTo("0.070");
            assertThat(Numbers.millis(-1L)).isEqualTo("0.000");
        } finally {
            Locale.setDefault(before);
        }
    }
}
