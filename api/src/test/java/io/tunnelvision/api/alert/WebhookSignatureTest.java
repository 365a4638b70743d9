package io.tunnelvision.api.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private static final byte[] BODY = "{\"event\":\"hotspot.opened\"}".getBytes(StandardCharsets.UTF_8);
    private static final Instant NOW = Instant.ofEpochSecond(1_800_000_000L);

    @Test
    void aSignatureVerifiesWithTheSecretItWasMadeWith() {
        String signature = WebhookSignature.sign(KEY, NOW.getEpochSecond(), BODY);

        assertTrue(signature.startsWith("sha256="));
        assertEquals(7 + 64, signature.length());
        assertTrue(WebhookSignature.verify(KEY, Long.toString(NOW.getEpochSecond()), signature, BODY, NOW));
    }

    @Test
    void anotherSecretAChangedBodyOrAnotherTimestampFail() {
        String signature = WebhookSignature.sign(KEY, NOW.getEpochSecond(), BODY);
        byte[] otherKey = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.UTF_8);
        String ts = Long.toString(NOW.getEpochSecond());

        assertFalse(WebhookSignature.verify(otherKey, ts, signature, BODY, NOW));
        assertFalse(WebhookSignature.verify(KEY, ts, signature,
                "{\"event\":\"hotspot.closed\"}".getBytes(StandardCharsets.UTF_8), NOW));
        assertFalse(WebhookSignature.verify(KEY, Long.toString(NOW.getEpochSecond() + 1), signature, BODY, NOW));
        assertFalse(WebhookSignature.verify(KEY, ts, "sha256=zz", BODY, NOW));
        assertFalse(WebhookSignature.verify(KEY, ts, null, BODY, NOW));
    }

    @Test
    void aReplayOutsideTheToleranceIsRefusedEvenWithAGoodSignature() {
        long old = NOW.minus(WebhookSignature.TOLERANCE).getEpochSecond() - 1;
        String signature = WebhookSignature.sign(KEY, old, BODY);

        assertFalse(WebhookSignature.verify(KEY, Long.toString(old), signature, BODY, NOW));
        assertTrue(WebhookSignature.verify(KEY, Long.toString(old), signature, BODY,
                Instant.ofEpochSecond(old)));
    }

    @Test
    void theSecretNeverShowsInItsTextAndShortOnesAreRefused() {
        WebhookSecret secret = WebhookSecret.of("a-secret-of-enough-bytes");

        assertFalse(secret.toString().contains("a-secret"));
        assertEquals("refused", assertRefused());
    }

    private static String assertRefused() {
        try {
            WebhookSecret.of("short");
            return "accepted";
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().contains("use at least 16"), e.getMessage());
            return "refused";
        }
    }
}
