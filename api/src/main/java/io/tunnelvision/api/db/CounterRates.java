package io.tunnelvision.api.db;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The SQL that turns cumulative counters into rates, shared by the sample families that store counters (qdiscs, NICs):
 * deltas between consecutive rows of one series ({@code WINDOW w}), and per bucket the sum of a counter's deltas over
 * the sum of the seconds of the intervals that have one ({@code ok}, and a delta). A rollup tier weighs its rows' rates
 * by the seconds they cover ({@code rate_seconds}). Column names are constants of the callers.
 */
final class CounterRates {

    private static final long WRAP_32 = 1L << 32;

    private CounterRates() {
    }

    /** {@code column}'s increase since the row before, NULL when it went down (a reset: the rules' Counters.delta64). */
    static String delta64(String column) {
        String previous = "lag(" + column + ") OVER w";
        return "CASE WHEN " + column + " >= " + previous + " THEN " + column + " - " + previous + " END AS d_" + column;
    }

    /** A 32-bit counter's increase since the row before: a smaller value wrapped once (the rules' Counters.delta32). */
    static String delta32(String column) {
        String previous = "lag(" + column + ") OVER w";
        return "CASE WHEN " + column + " >= " + previous + " THEN " + column + " - " + previous + " WHEN " + previous
                + " < " + WRAP_32 + " THEN " + column + " + " + WRAP_32 + " - " + previous + " END AS d_" + column;
    }

    /** Over raw deltas ({@code d_<c>}, {@code dt}, {@code ok}): {@code <c>_per_s} of each counter, and rate_seconds. */
    static String fromDeltas(List<String> counters) {
        return "coalesce(sum(dt) FILTER (WHERE ok), 0)::real AS rate_seconds, " + counters.stream()
                .map(c -> "(sum(d_" + c + ") FILTER (WHERE ok AND d_" + c + " IS NOT NULL) / nullif(sum(dt) FILTER"
                        + " (WHERE ok AND d_" + c + " IS NOT NULL), 0))::real AS " + c + "_per_s")
                .collect(Collectors.joining(", "));
    }

    /** Over a rollup tier: each {@code <c>_per_s} weighted by the seconds it covers, and their sum. */
    static String fromRollups(List<String> counters) {
        return "sum(rate_seconds)::real AS rate_seconds, " + counters.stream()
                .map(c -> "(sum(" + c + "_per_s::float8 * rate_seconds) FILTER (WHERE " + c + "_per_s IS NOT NULL)"
                        + " / nullif(sum(rate_seconds) FILTER (WHERE " + c + "_per_s IS NOT NULL), 0))::real AS " + c
                        + "_per_s")
                .collect(Collectors.joining(", "));
    }

    /** {@code c = EXCLUDED.c} for every column after the first {@code keys} (the primary key's). */
    static String updateAll(String columns, int keys) {
        List<String> names = List.of(columns.split(",\\s*"));
        return names.subList(keys, names.size()).stream().map(c -> c + " = EXCLUDED." + c)
                .collect(Collectors.joining(", "));
    }
}
