package io.panoptes.runtime.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 7d},
 * or ISO-8601 ({@code PT1H}).
 */
public final class Durations {

    private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private Durations() {}

    /**
     * @throws IllegalArgumentException saying what a duration looks like, for text that is none or
     *     is negative
     */
    public static Duration parse(String value) {
        String text = value.trim().toLowerCase(Locale.ROOT);
        Matcher m = SHORT.matcher(text);
        Duration duration;
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            duration =
                    switch (m.group(2)) {
                        case "ms" -> Duration.ofMillis(n);
                        case "s" -> Duration.ofSeconds(n);
                        case "m" -> Duration.ofMinutes(n);
                        case "h" -> Duration.ofHours(n);
                        default -> Duration.ofDays(n);
                    };
        } else {
            try {
                duration = Duration.parse(value.trim().toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(
                        "'"
                                + value
                                + "' is not a duration: use e.g. 500ms, 30s, 5m, 1h, 7d or PT1H");
            }
        }
        if (duration.isNegative()) {
            throw new IllegalArgumentException("'" + value + "' is negative");
        }
        return duration;
    }
}
