package io.tunnelvision.api.alert;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One transition as it is stored in the outbox: what Alertmanager needs (labels, annotations, times) and the
 * webhook's body. {@code previousLabels} is set for an escalation only: the label set it replaces.
 */
public record AlertEvent(AlertKind kind, String dedupeKey, String alertKey, String hostId, String severity,
                         Map<String, String> labels, Map<String, String> previousLabels,
                         Map<String, String> annotations, String generatorUrl, Map<String, Object> body,
                         Instant startsAt, Instant endsAt, Instant occurredAt) {

    public AlertEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(dedupeKey, "dedupeKey");
        Objects.requireNonNull(alertKey, "alertKey");
        Objects.requireNonNull(severity, "severity");
        labels = Map.copyOf(labels);
        previousLabels = previousLabels == null ? null : Map.copyOf(previousLabels);
        annotations = Map.copyOf(annotations);
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(startsAt, "startsAt");
        Objects.requireNonNull(occurredAt, "occurredAt");
    }

    /** The same event with the label sets Alertmanager holds for its alert (read from the firing alert). */
    AlertEvent withLabels(Map<String, String> labels, Map<String, String> previousLabels) {
        return new AlertEvent(kind, dedupeKey, alertKey, hostId, severity, labels, previousLabels, annotations,
                generatorUrl, body, startsAt, endsAt, occurredAt);
    }
}
