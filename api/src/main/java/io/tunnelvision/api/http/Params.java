package io.tunnelvision.api.http;

import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.Locale;

/** Reads query parameters, answering 400 with a message that names the parameter and what it expects. */
final class Params {

    static final int MAX_HOST_LENGTH = 253;
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private Params() {
    }

    static String host(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null || value.isEmpty()) {
            throw ApiProblem.badRequest("query parameter '" + name + "' is required: the gateway's host id");
        }
        return checkHost(name, value);
    }

    static String optionalHost(Context ctx, String name) {
        String value = ctx.queryParam(name);
        return value == null || value.isEmpty() ? null : checkHost(name, value);
    }

    static String checkHost(String name, String value) {
        if (value.length() > MAX_HOST_LENGTH || value.chars().anyMatch(Character::isISOControl)) {
            throw ApiProblem.badRequest(name + " '" + printable(value) + "' is not a host id: at most "
                    + MAX_HOST_LENGTH + " characters and no control characters");
        }
        return value;
    }

    static String optionalText(Context ctx, String name, int maxLength) {
        String value = ctx.queryParam(name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (value.length() > maxLength || value.chars().anyMatch(Character::isISOControl)) {
            throw ApiProblem.badRequest(name + " '" + printable(value) + "' is too long (max " + maxLength
                    + ") or holds control characters");
        }
        return value;
    }

    static Instant instant(Context ctx, String name, Instant fallback) {
        String value = ctx.queryParam(name);
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiProblem.badRequest(name + " '" + printable(value) + "' is not an ISO-8601 time with an offset,"
                    + " such as 2025-03-01T12:00:00Z");
        }
    }

    /** from and to, defaulting to the last {@code span} before now; from must come before to. */
    static Instant[] range(Context ctx, Instant now, Duration span) {
        Instant to = instant(ctx, "to", now);
        Instant from = instant(ctx, "from", to.minus(span));
        if (!from.isBefore(to)) {
            throw ApiProblem.badRequest("from " + from + " is not before to " + to);
        }
        return new Instant[] {from, to};
    }

    /** Seconds ({@code 60}), short forms ({@code 30s}, {@code 5m}, {@code 1h}) or ISO-8601 ({@code PT1M}). */
    static Duration step(Context ctx, Duration fallback) {
        String value = ctx.queryParam("step");
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        Duration step;
        try {
            String v = value.trim().toLowerCase(Locale.ROOT);
            if (v.startsWith("p")) {
                step = Duration.parse(v.toUpperCase(Locale.ROOT));
            } else if (v.endsWith("s")) {
                step = Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
            } else if (v.endsWith("m")) {
                step = Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            } else if (v.endsWith("h")) {
                step = Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
            } else if (v.endsWith("d")) {
                step = Duration.ofDays(Long.parseLong(v.substring(0, v.length() - 1)));
            } else {
                step = Duration.ofSeconds(Long.parseLong(v));
            }
        } catch (RuntimeException e) {
            throw ApiProblem.badRequest("step '" + printable(value) + "' is not a duration: use seconds (60), 30s, 5m,"
                    + " 1h, 1d or ISO-8601 (PT1M)");
        }
        if (step.compareTo(Duration.ofSeconds(1)) < 0 || step.toNanos() % 1_000_000_000L != 0) {
            throw ApiProblem.badRequest("step " + value + " is too small or not whole seconds: the finest data is one"
                    + " sample per second, so use a step of at least 1s");
        }
        return step;
    }

    static int limit(Context ctx) {
        String value = ctx.queryParam("limit");
        if (value == null || value.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiProblem.badRequest("limit '" + printable(value) + "' must be a whole number from 1 to " + MAX_LIMIT);
    }

    static Integer cpu(Context ctx, int max) {
        String value = ctx.queryParam("cpu");
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            int cpu = Integer.parseInt(value);
            if (cpu >= 0 && cpu <= max) {
                return cpu;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiProblem.badRequest("cpu '" + printable(value) + "' must be a CPU id from 0 to " + max);
    }

    /** An optional parameter that must be one of {@code allowed} (compared case-insensitively, returned as listed). */
    static String oneOf(Context ctx, String name, Collection<String> allowed) {
        String value = ctx.queryParam(name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        for (String candidate : allowed) {
            if (candidate.equalsIgnoreCase(value)) {
                return candidate;
            }
        }
        throw ApiProblem.badRequest(name + " '" + printable(value) + "' is not one of " + String.join(", ", allowed));
    }

    /** Echoes a caller's value in a message without letting it run on or carry control characters. */
    static String printable(String value) {
        String cut = value.length() > 80 ? value.substring(0, 80) + "…" : value;
        return cut.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }
}
