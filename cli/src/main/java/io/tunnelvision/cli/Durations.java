package io.tunnelvision.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as operators type them: {@code 90s}, {@code 15m}, {@code 2h}, {@code 7d}, or ISO-8601 ({@code PT1H}). */
public final class Durations {

    private static final Pattern SHORT = Pattern.compile("(\\d{1,9})([smhd])");

    private Durations() {
    }

    /** @param what the option it came from, for the message */
    public static Duration parse(String text, String what) {
        String value = text.strip().toLowerCase(Locale.ROOT);
        Matcher m = SHORT.matcher(value);
        Duration duration;
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            duration = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } else {
            try {
                duration = Duration.parse(value.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new CliException(ExitCode.USAGE, what + " '" + text
                        + "' is not a duration such as 90s, 15m, 2h, 7d or PT1H");
            }
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new CliException(ExitCode.USAGE, what + " '" + text + "' must be longer than zero");
        }
        return duration;
    }
}
