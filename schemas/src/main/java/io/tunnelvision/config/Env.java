package io.tunnelvision.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Objects;

/**
 * Reads {@link Setting}s from a map of environment variables (the process environment in production,
 * a plain map in tests) and turns bad values into errors that name the variable and what it expects.
 */
public final class Env {

    private final Map<String, String> vars;

    public Env(Map<String, String> vars) {
        this.vars = Map.copyOf(Objects.requireNonNull(vars, "vars"));
    }

    public static Env system() {
        return new Env(System.getenv());
    }

    public String string(Setting setting) {
        String value = vars.get(setting.env());
        if (value == null || value.isBlank()) {
            if (setting.isRequired()) {
                throw new ConfigException(setting.env() + " is not set: " + setting.description());
            }
            return setting.defaultValue();
        }
        return value.trim();
    }

    public int integer(Setting setting, int min, int max) {
        String raw = string(setting);
        try {
            int value = Integer.parseInt(raw);
            if (value < min || value > max) {
                throw new ConfigException(setting.env() + "=" + raw + " is out of range [" + min + ", " + max + "]");
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigException(setting.env() + "=" + raw + " is not a whole number", e);
        }
    }

    public long longValue(Setting setting, long min, long max) {
        String raw = string(setting);
        try {
            long value = Long.parseLong(raw);
            if (value < min || value > max) {
                throw new ConfigException(setting.env() + "=" + raw + " is out of range [" + min + ", " + max + "]");
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigException(setting.env() + "=" + raw + " is not a whole number", e);
        }
    }

    /** Accepts ISO-8601 durations ({@code PT1S}) and the short forms {@code 500ms}, {@code 1s}, {@code 5m}, {@code 1h}. */
    public Duration duration(Setting setting) {
        String raw = string(setting);
        try {
            return parseDuration(raw);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(setting.env() + "=" + raw
                    + " is not a duration (use e.g. 500ms, 1s, 5m, 1h or PT1S)", e);
        }
    }

    public boolean bool(Setting setting) {
        String raw = string(setting).toLowerCase(java.util.Locale.ROOT);
        return switch (raw) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new ConfigException(setting.env() + "=" + raw + " is not a boolean (true/false)");
        };
    }

    /** Parses {@code 500ms}, {@code 1s}, {@code 5m}, {@code 1h} or ISO-8601; throws IllegalArgumentException. */
    public static Duration parseDuration(String raw) {
        String s = raw.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (s.startsWith("pt") || s.startsWith("p")) {
                return Duration.parse(raw.trim().toUpperCase(java.util.Locale.ROOT));
            }
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        long factor;
        String digits;
        if (s.endsWith("ms")) {
            factor = 1;
            digits = s.substring(0, s.length() - 2);
        } else if (s.endsWith("s")) {
            factor = 1_000;
            digits = s.substring(0, s.length() - 1);
        } else if (s.endsWith("m")) {
            factor = 60_000;
            digits = s.substring(0, s.length() - 1);
        } else if (s.endsWith("h")) {
            factor = 3_600_000;
            digits = s.substring(0, s.length() - 1);
        } else {
            throw new IllegalArgumentException("missing unit");
        }
        long amount = Long.parseLong(digits.trim());
        if (amount < 0) {
            throw new IllegalArgumentException("negative duration");
        }
        return Duration.ofMillis(Math.multiplyExact(amount, factor));
    }
}
