package dev.ferry.support;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Numbers for operators and callers, the same under every default locale ({@code 10.201}, never
 * {@code 10,201}): {@code String.format("%.3f")} follows the JVM's locale, and a German one writes a
 * comma that breaks every parser downstream.
 */
public final class Numbers {
    private Numbers() {
    }

    /**
     * @param value a number
     * @param places digits after the point
     * @return it rounded half-up to that many places, with a point, e.g. {@code "1.500"}
     */
    public static String decimal(double value, int places) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return Double.toString(value);
        }
        return BigDecimal.valueOf(value).setScale(places, RoundingMode.HALF_UP).toPlainString();
    }

    /**
     * @param nanos a duration in nanoseconds
     * @return it in seconds with three places and the unit, e.g. {@code "1.500s"}
     */
    public static String seconds(long nanos) {
        return decimal(nanos / 1e9, 3) + "s";
    }

    /**
     * @param nanos a duration in nanoseconds
     * @return it in milliseconds with three places, e.g. {@code "10.201"}
     */
    public static String millis(long nanos) {
        return decimal(nanos / 1e6, 3);
    }
}
