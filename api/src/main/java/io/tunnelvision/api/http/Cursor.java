package io.tunnelvision.api.http;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * Where a page ended: the sort key of its last row, opaque to clients (base64url). A cursor that does not decode
 * is the caller's mistake and answers 400.
 */
public record Cursor(Instant time, String id) {

    private static final String VERSION = "1";

    public static Cursor after(Instant time, String id) {
        return new Cursor(time, id);
    }

    public String encode() {
        String plain = VERSION + "|" + (time == null ? "" : Long.toString(time.getEpochSecond()) + "." + time.getNano())
                + "|" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws ApiProblem (400) if {@code text} is not a cursor this API issued */
    public static Cursor decode(String text, boolean withTime) {
        try {
            String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
            String[] parts = plain.split("\\|", 3);
            if (parts.length != 3 || !parts[0].equals(VERSION) || parts[2].isEmpty()
                    || withTime == parts[1].isEmpty()) {
                throw new IllegalArgumentException("wrong shape");
            }
            Instant time = null;
            if (withTime) {
                String[] seconds = parts[1].split("\\.");
                time = Instant.ofEpochSecond(Long.parseLong(seconds[0]), Long.parseLong(seconds[1]));
            }
            return new Cursor(time, parts[2]);
        } catch (RuntimeException e) {
            throw ApiProblem.badRequest("cursor '" + text + "' is not one this API issued: pass the nextCursor of the"
                    + " previous page unchanged");
        }
    }
}
