package io.tunnelvision.api.alert;

import io.tunnelvision.api.db.EventRows;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Builds the events of each transition: labels, annotations and the webhook body. Pure. */
final class AlertEvents {

    static final int BODY_VERSION = 1;

    private final Optional<String> publicUrl;

    AlertEvents(Optional<String> publicUrl) {
        this.publicUrl = publicUrl;
    }

    /** Details the recorder looked up for a command's alert: its action and target, the hotspot, the tunnel. */
    record CommandContext(String action, String target, String newValue, String hotspotId, String hotspotType,
                          String tunnel) {
        static final CommandContext UNKNOWN = new CommandContext(null, null, null, null, null, null);
    }

    AlertEvent hotspot(HotspotTransitions.Transition t, String tunnel) {
        EventRows.Hotspot h = t.hotspot();
        boolean fleet = "FLEET".equals(h.scope());
        AlertKind kind = switch (t.change()) {
            case OPENED -> fleet ? AlertKind.FLEET_HOTSPOT_OPENED : AlertKind.HOTSPOT_OPENED;
            case ESCALATED -> fleet ? AlertKind.FLEET_HOTSPOT_ESCALATED : AlertKind.HOTSPOT_ESCALATED;
            case CLOSED -> fleet ? AlertKind.FLEET_HOTSPOT_CLOSED : AlertKind.HOTSPOT_CLOSED;
        };
        String dedupe = switch (t.change()) {
            case OPENED -> "hotspot-opened:" + h.hotspotId();
            case ESCALATED -> "hotspot-escalated:" + h.hotspotId() + ":" + h.severity();
            case CLOSED -> "hotspot-closed:" + h.hotspotId();
        };
        String severity = lower(h.severity());
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("alertname", kind.alertName());
        if (!fleet && h.hostId() != null) {
            labels.put("host", h.hostId());
        }
        labels.put("type", h.type());
        labels.put("severity", severity);
        labels.put("hotspot", h.hotspotId());
        if (fleet) {
            labels.put("scope", "fleet");
        }
        put(labels, "target", h.target());
        put(labels, "tunnel", tunnel);
        Map<String, String> previous = null;
        if (t.previousSeverity() != null) {
            previous = new LinkedHashMap<>(labels);
            previous.put("severity", lower(t.previousSeverity()));
        }
        String where = fleet ? h.hosts().length + " gateways" : h.hostId() + (h.target() == null ? "" : " (" + h.target() + ")");
        String description = switch (t.change()) {
            case OPENED -> h.type() + " hotspot on " + where + " opened at " + h.openedAt() + ", severity " + severity;
            case ESCALATED -> h.type() + " hotspot on " + where + " rose from " + lower(t.previousSeverity()) + " to "
                    + severity + " at " + h.updatedAt();
            case CLOSED -> h.type() + " hotspot on " + where + " closed at " + closedAt(h) + " after "
                    + java.time.Duration.between(h.openedAt(), closedAt(h)).toSeconds() + " s";
        } + ". Evidence: " + h.evidenceJson() + (fleet ? ". Gateways: " + String.join(", ", List.of(h.hosts())) : "");
        Map<String, String> annotations = annotations(h.summary(), description);
        Instant occurred = t.change() == HotspotTransitions.Change.CLOSED ? closedAt(h)
                : t.change() == HotspotTransitions.Change.OPENED ? h.openedAt() : h.updatedAt();
        Instant endsAt = t.change() == HotspotTransitions.Change.CLOSED ? closedAt(h) : null;
        String url = fleet ? dashboard(null) : dashboard(h.hostId());
        Map<String, Object> body = body(kind, dedupe, "hotspot:" + h.hotspotId(), fleet ? null : h.hostId(), h.type(),
                severity, labels, annotations, h.openedAt(), endsAt, occurred, url);
        body.put("previousSeverity", t.previousSeverity() == null ? null : lower(t.previousSeverity()));
        body.put("hotspotId", h.hotspotId());
        body.put("scope", h.scope());
        body.put("hosts", List.of(h.hosts()));
        return new AlertEvent(kind, dedupe, "hotspot:" + h.hotspotId(), fleet ? null : h.hostId(), severity, labels,
                previous, annotations, url, body, h.openedAt(), endsAt, occurred);
    }

    AlertEvent rolledBack(EventRows.Outcome o, CommandContext c) {
        AlertKind kind = AlertKind.CHANGE_ROLLED_BACK;
        String dedupe = "change-rolled-back:" + o.commandId();
        String type = c.hotspotType() != null ? c.hotspotType() : c.action() != null ? c.action() : "UNKNOWN";
        Map<String, String> labels = commandLabels(kind, o.hostId(), type, "warning", o.commandId(), c);
        String change = c.action() == null ? "command " + o.commandId()
                : c.action() + " " + c.target() + "=" + c.newValue();
        Map<String, String> annotations = annotations(
                change + " on " + o.hostId() + " was rolled back",
                "The change did not help or did harm: " + o.metric() + " went from " + o.valueBefore() + " to "
                        + o.valueAfter() + " (command " + o.commandId()
                        + (o.rollbackCommandId() == null ? "" : ", rollback " + o.rollbackCommandId())
                        + (c.hotspotId() == null ? "" : ", hotspot " + c.hotspotId()) + ")");
        String url = dashboard(o.hostId());
        Map<String, Object> body = body(kind, dedupe, "command:" + o.commandId(), o.hostId(), type, "warning", labels,
                annotations, o.decidedAt(), null, o.decidedAt(), url);
        body.put("commandId", o.commandId());
        body.put("rollbackCommandId", o.rollbackCommandId());
        body.put("hotspotId", o.hotspotId() != null ? o.hotspotId() : c.hotspotId());
        body.put("metric", o.metric());
        body.put("valueBefore", o.valueBefore());
        body.put("valueAfter", o.valueAfter());
        return new AlertEvent(kind, dedupe, "command:" + o.commandId(), o.hostId(), "warning", labels, null,
                annotations, url, body, o.decidedAt(), null, o.decidedAt());
    }

    AlertEvent refused(EventRows.Result r, CommandContext c) {
        AlertKind kind = AlertKind.COMMAND_REFUSED;
        String dedupe = "command-refused:" + r.commandId() + ":" + r.status();
        String type = c.hotspotType() != null ? c.hotspotType() : c.action() != null ? c.action() : "UNKNOWN";
        Map<String, String> labels = commandLabels(kind, r.hostId(), type, "warning", r.commandId(), c);
        labels.put("status", lower(r.status()));
        String change = c.action() == null ? "command " + r.commandId()
                : c.action() + " " + c.target() + "=" + c.newValue();
        Map<String, String> annotations = annotations(
                r.hostId() + " did not apply " + change + ": " + r.status(),
                "The agent reported " + r.status() + " for command " + r.commandId()
                        + (r.reason() == null ? "" : ": " + r.reason()));
        String url = dashboard(r.hostId());
        Map<String, Object> body = body(kind, dedupe, "command:" + r.commandId() + ":" + r.status(), r.hostId(), type,
                "warning", labels, annotations, r.reportedAt(), null, r.reportedAt(), url);
        body.put("commandId", r.commandId());
        body.put("status", r.status());
        body.put("reason", r.reason());
        body.put("hotspotId", c.hotspotId());
        return new AlertEvent(kind, dedupe, "command:" + r.commandId() + ":" + r.status(), r.hostId(), "warning",
                labels, null, annotations, url, body, r.reportedAt(), null, r.reportedAt());
    }

    /** An agent silent since its sample of {@code lastSeen}, noticed at {@code now}. */
    AlertEvent silent(String host, Instant lastSeen, Instant now, java.time.Duration threshold) {
        return silence(AlertKind.AGENT_SILENT, "agent-silent:" + host + ":" + lastSeen.toEpochMilli(), host, lastSeen,
                null, now, host + " has sent no sample since " + lastSeen,
                "No sample from the agent on " + host + " for more than " + threshold.toSeconds()
                        + " s: the agent, the gateway or its path to Kafka is down");
    }

    /** The agent silent since {@code lastSeen} sent a sample again (taken at {@code backAt}). */
    AlertEvent back(String host, Instant lastSeen, Instant backAt) {
        return silence(AlertKind.AGENT_BACK, "agent-back:" + host + ":" + lastSeen.toEpochMilli(), host, lastSeen,
                backAt, backAt, host + " sends samples again",
                "The agent on " + host + " was silent from " + lastSeen + " to " + backAt);
    }

    private AlertEvent silence(AlertKind kind, String dedupe, String host, Instant lastSeen, Instant endsAt,
                               Instant occurred, String summary, String description) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("alertname", kind.alertName());
        labels.put("host", host);
        labels.put("type", "AGENT_SILENT");
        labels.put("severity", "warning");
        Map<String, String> annotations = annotations(summary, description);
        String url = dashboard(host);
        String alertKey = "agent-silent:" + host;
        Map<String, Object> body = body(kind, dedupe, alertKey, host, "AGENT_SILENT", "warning", labels,
                annotations, lastSeen, endsAt, occurred, url);
        body.put("lastSeen", lastSeen.toString());
        return new AlertEvent(kind, dedupe, alertKey, host, "warning", labels, null, annotations, url, body,
                lastSeen, endsAt, occurred);
    }

    private static Map<String, String> commandLabels(AlertKind kind, String host, String type, String severity,
                                                     String commandId, CommandContext c) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("alertname", kind.alertName());
        labels.put("host", host);
        labels.put("type", type);
        labels.put("severity", severity);
        labels.put("command", commandId);
        put(labels, "action", c.action());
        put(labels, "tunnel", c.tunnel());
        return labels;
    }

    private static Map<String, Object> body(AlertKind kind, String dedupe, String alertKey, String host, String type,
                                            String severity, Map<String, String> labels,
                                            Map<String, String> annotations, Instant startsAt, Instant endsAt,
                                            Instant occurred, String url) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", BODY_VERSION);
        body.put("event", kind.eventName());
        body.put("dedupeKey", dedupe);
        body.put("alertKey", alertKey);
        body.put("state", switch (kind.effect()) {
            case FIRE, ESCALATE -> "firing";
            case RESOLVE -> "resolved";
            case ONCE -> "event";
        });
        body.put("host", host);
        body.put("type", type);
        body.put("severity", severity);
        body.put("tunnel", labels.get("tunnel"));
        body.put("target", labels.get("target"));
        body.put("summary", annotations.get("summary"));
        body.put("description", annotations.get("description"));
        body.put("startsAt", startsAt.toString());
        body.put("endsAt", endsAt == null ? null : endsAt.toString());
        body.put("occurredAt", occurred.toString());
        body.put("dashboardUrl", url);
        body.put("labels", labels);
        return body;
    }

    private static Map<String, String> annotations(String summary, String description) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("summary", summary);
        annotations.put("description", description);
        return annotations;
    }

    /** The dashboard page of {@code host}, or the fleet page; null without a public URL. */
    String dashboard(String host) {
        return publicUrl.map(base -> host == null ? base + "/ui/"
                : base + "/ui/gateway.html?host=" + URLEncoder.encode(host, StandardCharsets.UTF_8)).orElse(null);
    }

    private static Instant closedAt(EventRows.Hotspot h) {
        return h.closedAt() != null ? h.closedAt() : h.updatedAt();
    }

    private static void put(Map<String, String> labels, String name, String value) {
        if (value != null && !value.isEmpty()) {
            labels.put(name, value);
        }
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }
}
