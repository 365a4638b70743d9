package io.tunnelvision.api.alert;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The webhook's signature: {@code X-Tunnelvision-Signature: sha256=HEX}, the HMAC-SHA256 under the shared secret of
 * {@code TIMESTAMP + "." + BODY}, where TIMESTAMP is the {@code X-Tunnelvision-Timestamp} header (Unix seconds) and
 * BODY the request's bytes. Covering the timestamp lets a receiver refuse a replay of an old request.
 */
public final class WebhookSignature {

    public static final String SIGNATURE_HEADER = "X-Tunnelvision-Signature";
    public static final String TIMESTAMP_HEADER = "X-Tunnelvision-Timestamp";
    public static final String PREFIX = "sha256=";
    /** How far a receiver lets the timestamp be from its own clock (what {@link #verify} enforces). */
    public static final Duration TOLERANCE = Duration.ofMinutes(5);

    private WebhookSignature() {
    }

    /** The header value for {@code body} sent at {@code timestampSeconds}. */
    public static String sign(byte[] key, long timestampSeconds, byte[] body) {
        return PREFIX + HexFormat.of().formatHex(mac(key, timestampSeconds, body));
    }

    public static String sign(WebhookSecret secret, long timestampSeconds, byte[] body) {
        return sign(secret.key(), timestampSeconds, body);
    }

    /**
     * What a receiver does: true only if the signature is the HMAC of this timestamp and body under {@code key}
     * (compared in constant time) and the timestamp is within {@link #TOLERANCE} of {@code now}.
     */
    public static boolean verify(byte[] key, String timestampHeader, String signatureHeader, byte[] body,
                                 Instant now) {
        if (timestampHeader == null || signatureHeader == null || !signatureHeader.startsWith(PREFIX)) {
            return false;
        }
        long timestamp;
        byte[] given;
        try {
            timestamp = Long.parseLong(timestampHeader.strip());
            given = HexFormat.of().parseHex(signatureHeader.substring(PREFIX.length()).strip());
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (Math.abs(now.getEpochSecond() - timestamp) > TOLERANCE.toSeconds()) {
            return false;
        }
        return MessageDigest.isEqual(mac(key, timestamp, body), given);
    }

    private static byte[] mac(byte[] key, long timestampSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((timestampSeconds + ".").getBytes(StandardCharsets.US_ASCII));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
