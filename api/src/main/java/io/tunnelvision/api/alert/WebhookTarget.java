package io.tunnelvision.api.alert;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The generic webhook: one event per request, its JSON body signed (see {@link WebhookSignature}). The dedupe key
 * is in the body and in the {@code Idempotency-Key} header, so a receiver drops the copy a retry may bring.
 */
public final class WebhookTarget implements AlertTarget {

    public static final String EVENT_HEADER = "X-Tunnelvision-Event";
    public static final String ATTEMPT_HEADER = "X-Tunnelvision-Attempt";
    public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";

    private final HttpPoster poster;
    private final WebhookSecret secret;
    private final Clock clock;

    public WebhookTarget(URI url, WebhookSecret secret, Duration timeout, Clock clock) {
        this.poster = new HttpPoster(url, timeout);
        this.secret = secret;
        this.clock = clock;
    }

    @Override
    public String name() {
        return AlertSettings.WEBHOOK;
    }

    @Override
    public int batchSize() {
        return 1;
    }

    @Override
    public void send(List<PendingAlert> alerts) throws DeliveryException {
        for (PendingAlert a : alerts) {
            byte[] body = a.bodyJson().getBytes(StandardCharsets.UTF_8);
            long timestamp = clock.instant().getEpochSecond();
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put(EVENT_HEADER, a.kind().eventName());
            headers.put(IDEMPOTENCY_HEADER, a.dedupeKey());
            headers.put(ATTEMPT_HEADER, Integer.toString(a.attempts() + 1));
            headers.put(WebhookSignature.TIMESTAMP_HEADER, Long.toString(timestamp));
            headers.put(WebhookSignature.SIGNATURE_HEADER, WebhookSignature.sign(secret, timestamp, body));
            poster.post(body, headers);
        }
    }

    @Override
    public String toString() {
        return "webhook " + poster;
    }
}
