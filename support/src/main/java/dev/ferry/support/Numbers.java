package dev.ferry.support;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Numbers for operators and callers, the same under every default locale ({@code 10.201}, never
 * {@code 10,201}): {@code String.format("%.3f")} follows the JVM's locale, and a German one writes a
 * comma that breaks every parser downstream.
 */
public final class Numbers {
    private Numbers() {}

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
     * Cheap enough for every task's metadata: integer arithmetic, no rounding mode, no BigDecimal.
     *
     * @param nanos a duration in nanoseconds
     * @return it in milliseconds with three places, cut to the microsecond, e.g. {@code "10.201"};
     *     {@code "0.000"} for a negative one
     */
    public static String millis(long nanos) {
        long micros = Math.max(0, nanos / 1000);
        int frac = (int) (micros % 1000);
        return new StringBuilder(12)
                .append(micros / 1000)
                .append('.')
                .append((char) ('0' + frac / 100))
                .append((char) ('0' + frac / 10 % 10))
                .append((char) ('0' + frac % 10))
                .toString();
    }
}
