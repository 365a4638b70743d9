package io.tunnelvision.api.alert;

import java.time.Instant;
import java.util.Map;

/** An outbox row claimed for delivery to one target. */
public record PendingAlert(long eventId, int attempts, AlertKind kind, String dedupeKey, String alertKey,
                           Map<String, String> labels, Map<String, String> previousLabels,
                           Map<String, String> annotations, String generatorUrl, String bodyJson, Instant startsAt,
                           Instant endsAt, Instant occurredAt, Instant createdAt) {
}
