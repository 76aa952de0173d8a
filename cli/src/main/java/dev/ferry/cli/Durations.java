package dev.ferry.cli;

import java.time.Duration;

/** {@code 30s}, {@code 500ms}, {@code 2m}, {@code 1h}, or a number of seconds: as the shell's executor:run. */
final class Durations {
    private Durations() {}

    static Duration parse(String text, String option) {
        String s = text.trim();
        try {
            if (s.endsWith("ms")) {
                return positive(Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2))), text, option);
            }
            char unit = s.isEmpty() ? ' ' : s.charAt(s.length() - 1);
            String number = Character.isDigit(unit) ? s : s.substring(0, s.length() - 1);
            long n = Long.parseLong(number);
            switch (unit) {
                case 's':
                    return positive(Duration.ofSeconds(n), text, option);
                case 'm':
                    return positive(Duration.ofMinutes(n), text, option);
                case 'h':
                    return positive(Duration.ofHours(n), text, option);
                default:
                    if (Character.isDigit(unit)) {
                        return positive(Duration.ofSeconds(n), text, option);
                    }
            }
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            // said below
        }
        throw new IllegalArgumentException(
                option + " '" + text + "' is not a duration; write 30s, 500ms, 2m, 1h or a number of seconds");
    }

    private static Duration positive(Duration d, String text, String option) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(option + " '" + text + "' must be more than zero");
        }
        return d;
    }
}
