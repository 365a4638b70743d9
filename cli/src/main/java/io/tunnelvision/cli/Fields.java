package io.tunnelvision.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reading the api's JSON into table cells: absent and null fields become null (shown as '-'). */
final class Fields {

    private Fields() {
    }

    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    /** An ISO time cut to the second ({@code 2026-03-01T12:00:05Z}), as read in a table. */
    static String time(JsonNode node, String field) {
        String text = text(node, field);
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text).truncatedTo(ChronoUnit.SECONDS).toString();
        } catch (DateTimeParseException e) {
            return text;
        }
    }

    static String lower(JsonNode node, String field) {
        String text = text(node, field);
        return text == null ? null : text.toLowerCase(Locale.ROOT);
    }

    static List<String> strings(JsonNode node, String field) {
        List<String> out = new ArrayList<>();
        JsonNode array = node.get(field);
        if (array != null && array.isArray()) {
            array.forEach(element -> out.add(element.asText()));
        }
        return out;
    }

    /** A number as short as it reads: 12, 0.25, 1.5e+06; null stays null. */
    static String number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        double d = value.asDouble();
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return Math.abs(d) >= 1e6 || Math.abs(d) < 1e-3 ? String.format(Locale.ROOT, "%.3g", d)
                : String.format(Locale.ROOT, "%.3f", d).replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
