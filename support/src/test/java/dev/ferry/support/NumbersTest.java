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
        } finally {
            Locale.setDefault(before);
        }
    }
}
