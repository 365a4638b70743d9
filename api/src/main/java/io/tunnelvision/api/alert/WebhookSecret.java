package io.tunnelvision.api.alert;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** The webhook's HMAC key. Its bytes never appear in a log line or a {@code toString}. */
public final class WebhookSecret {

    private static final int MIN_BYTES = 16;

    private final byte[] key;
    private final String source;

    private WebhookSecret(byte[] key, String source) {
        if (key.length < MIN_BYTES) {
            throw new IllegalArgumentException("the webhook secret in " + source + " has " + key.length
                    + " bytes; use at least " + MIN_BYTES + " (e.g. openssl rand -hex 32)");
        }
        this.key = key.clone();
        this.source = source;
    }

    /** The file's first line, without its line end, as UTF-8 bytes. */
    public static WebhookSecret fromFile(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the webhook secret file " + file + ": " + e, e);
        }
        String line = text.lines().findFirst().orElse("").strip();
        return new WebhookSecret(line.getBytes(StandardCharsets.UTF_8), file.toString());
    }

    public static WebhookSecret of(String secret) {
        return new WebhookSecret(secret.getBytes(StandardCharsets.UTF_8), "given");
    }

    byte[] key() {
        return key.clone();
    }

    /** Where the secret was read from, safe to log. */
    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return "WebhookSecret(" + source + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WebhookSecret other && Arrays.equals(key, other.key);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key);
    }
}
