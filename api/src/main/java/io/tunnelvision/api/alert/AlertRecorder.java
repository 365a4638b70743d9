package io.tunnelvision.api.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tunnelvision.api.db.EventRows;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;

/**
 * Derives alert events inside the transaction that stores their records (ingest) and puts them in the outbox: one
 * {@code alert_events} row per transition (its dedupe key is unique, so a redelivered record or a second instance
 * adds nothing), one {@code alert_deliveries} row per configured target, and the firing alert Alertmanager is sent
 * again until it ends ({@code alert_firing}). Only an event that was new changes the firing alerts.
 */
public final class AlertRecorder {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {
    };
    private static final Set<String> TUNNEL_KINDS = Set.of("TUN", "TAP", "WIREGUARD", "VXLAN", "GRE");
    private static final Set<String> REFUSED = Set.of("REJECTED", "EXPIRED", "FAILED");

    private final AlertSettings settings;
    private final AlertEvents events;
    private final Clock clock;
    private final String[] targets;

    public AlertRecorder(AlertSettings settings, Clock clock) {
        this.settings = settings;
        this.events = new AlertEvents(settings.publicUrl());
        this.clock = clock;
        this.targets = settings.targets().toArray(String[]::new);
    }

    /**
     * Locks the stored rows of these hotspots (in id order, so two instances never deadlock on them) and returns
     * their state: call before the hotspot upsert of the same transaction.
     */
    public Map<String, HotspotTransitions.Stored> lockHotspots(Handle handle, Collection<String> hotspotIds) {
        Map<String, HotspotTransitions.Stored> stored = new LinkedHashMap<>();
        if (hotspotIds.isEmpty()) {
            return stored;
        }
        handle.createQuery("""
                        SELECT hotspot_id, state, severity, updated_at FROM hotspots
                        WHERE hotspot_id = ANY(:ids) ORDER BY hotspot_id FOR UPDATE""")
                .bind("ids", new TreeSet<>(hotspotIds).toArray(String[]::new))
                .map((rs, ctx) -> Map.entry(rs.getString(1), new HotspotTransitions.Stored(rs.getString(2),
                        rs.getString(3), rs.getTimestamp(4).toInstant())))
                .forEach(e -> stored.put(e.getKey(), e.getValue()));
        return stored;
    }

    /** After the upsert: the transitions of these messages from the locked state, recorded. */
    public int hotspots(Handle handle, Map<String, HotspotTransitions.Stored> before, List<EventRows.Hotspot> messages) {
        Map<String, List<EventRows.Hotspot>> byId = new LinkedHashMap<>();
        for (EventRows.Hotspot h : messages) {
            byId.computeIfAbsent(h.hotspotId(), k -> new ArrayList<>()).add(h);
        }
        int recorded = 0;
        for (Map.Entry<String, List<EventRows.Hotspot>> e : byId.entrySet()) {
            for (HotspotTransitions.Transition t : HotspotTransitions.of(before.get(e.getKey()), e.getValue())) {
                EventRows.Hotspot h = t.hotspot();
                String tunnel = "HOST".equals(h.scope()) ? tunnel(handle, h.hostId(), h.target()) : null;
                recorded += record(handle, events.hotspot(t, tunnel));
            }
        }
        return recorded;
    }

    /** A result REJECTED, EXPIRED or FAILED is a refused command. */
    public int results(Handle handle, List<EventRows.Result> results) {
        int recorded = 0;
        for (EventRows.Result r : results) {
            if (REFUSED.contains(r.status())) {
                recorded += record(handle, events.refused(r, command(handle, r.commandId())));
            }
        }
        return recorded;
    }

    /** A ROLLED_BACK verdict is a change rolled back. */
    public int outcomes(Handle handle, List<EventRows.Outcome> outcomes) {
        int recorded = 0;
        for (EventRows.Outcome o : outcomes) {
            if ("ROLLED_BACK".equals(o.verdict())) {
                recorded += record(handle, events.rolledBack(o, command(handle, o.commandId())));
            }
        }
        return recorded;
    }

    AlertEvents events() {
        return events;
    }

    /**
     * Puts one event in the outbox unless its dedupe key is there already; too old an event (a replay of old
     * topics) is not alerted.
     *
     * @return 1 if the event was new, else 0
     */
    int record(Handle handle, AlertEvent event) {
        Instant now = clock.instant();
        if (event.occurredAt().isBefore(now.minus(settings.giveUpAfter()))) {
            return 0;
        }
        AlertEvent e = event;
        AlertKind.Effect effect = e.kind().effect();
        if (effect == AlertKind.Effect.RESOLVE || effect == AlertKind.Effect.ESCALATE) {
            // the label set Alertmanager holds is the one that fired (a drop in severity did not change it)
            Optional<Map<String, String>> firing = handle.createQuery(
                            "SELECT labels::text FROM alert_firing WHERE alert_key = :key FOR UPDATE")
                    .bind("key", e.alertKey()).mapTo(String.class).findOne().map(AlertRecorder::labels);
            if (firing.isPresent()) {
                e = effect == AlertKind.Effect.RESOLVE ? e.withLabels(firing.get(), null)
                        : e.withLabels(e.labels(), firing.get());
            }
        }
        Optional<Long> id = handle.createQuery("""
                        INSERT INTO alert_events (dedupe_key, alert_key, kind, host_id, severity, labels,
                                                  previous_labels, annotations, generator_url, body, starts_at,
                                                  ends_at, occurred_at)
                        VALUES (:dedupeKey, :alertKey, :kind, :hostId, :severity, CAST(:labels AS jsonb),
                                CAST(:previousLabels AS jsonb), CAST(:annotations AS jsonb), :generatorUrl,
                                CAST(:body AS jsonb), :startsAt, :endsAt, :occurredAt)
                        ON CONFLICT (dedupe_key) DO NOTHING
                        RETURNING event_id""")
                .bind("dedupeKey", e.dedupeKey()).bind("alertKey", e.alertKey()).bind("kind", e.kind().name())
                .bind("hostId", e.hostId()).bind("severity", e.severity()).bind("labels", json(e.labels()))
                .bind("previousLabels", e.previousLabels() == null ? null : json(e.previousLabels()))
                .bind("annotations", json(e.annotations())).bind("generatorUrl", e.generatorUrl())
                .bind("body", json(e.body())).bind("startsAt", e.startsAt()).bind("endsAt", e.endsAt())
                .bind("occurredAt", e.occurredAt())
                .mapTo(Long.class).findOne();
        if (id.isEmpty()) {
            return 0;
        }
        if (targets.length > 0) {
            handle.createUpdate("""
                            INSERT INTO alert_deliveries (event_id, target, alert_key, next_attempt_at)
                            SELECT :id, t, :alertKey, now() FROM unnest(CAST(:targets AS text[])) t""")
                    .bind("id", id.get()).bind("alertKey", e.alertKey()).bind("targets", targets).execute();
        }
        switch (effect) {
            case FIRE, ESCALATE -> handle.createUpdate("""
                            INSERT INTO alert_firing (alert_key, labels, annotations, generator_url, starts_at,
                                                      next_resend_at)
                            VALUES (:key, CAST(:labels AS jsonb), CAST(:annotations AS jsonb), :url, :startsAt,
                                    now() + CAST(:resend AS interval))
                            ON CONFLICT (alert_key) DO UPDATE SET labels = EXCLUDED.labels,
                                annotations = EXCLUDED.annotations, generator_url = EXCLUDED.generator_url""")
                    .bind("key", e.alertKey()).bind("labels", json(e.labels()))
                    .bind("annotations", json(e.annotations())).bind("url", e.generatorUrl())
                    .bind("startsAt", e.startsAt()).bind("resend", settings.resendInterval().toMillis() + " milliseconds")
                    .execute();
            case RESOLVE -> handle.createUpdate("DELETE FROM alert_firing WHERE alert_key = :key")
                    .bind("key", e.alertKey()).execute();
            case ONCE -> {
            }
        }
        return 1;
    }

    /** The interface {@code target} of {@code host} when its latest configuration says it is a tunnel. */
    private static String tunnel(Handle handle, String host, String target) {
        if (host == null || target == null || target.isEmpty()) {
            return null;
        }
        Optional<String> kind = handle.createQuery("""
                        SELECT ic.kind FROM interface_configs ic JOIN hosts h ON h.host_key = ic.host_key
                        WHERE h.host_id = :host AND ic.iface = :iface
                        ORDER BY ic.valid_from DESC LIMIT 1""")
                .bind("host", host).bind("iface", target).mapTo(String.class).findOne();
        return kind.filter(TUNNEL_KINDS::contains).map(k -> target).orElse(null);
    }

    private static AlertEvents.CommandContext command(Handle handle, String commandId) {
        return handle.createQuery("""
                        SELECT c.action, c.target, c.new_value, c.hotspot_id, h.type, c.host_id
                        FROM commands c LEFT JOIN hotspots h ON h.hotspot_id = c.hotspot_id
                        WHERE c.command_id = :id""")
                .bind("id", commandId)
                .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6)})
                .findOne()
                .map(c -> new AlertEvents.CommandContext(c[0], c[1], c[2], c[3], c[4], tunnel(handle, c[5], c[1])))
                .orElse(AlertEvents.CommandContext.UNKNOWN);
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value + " as JSON", e);
        }
    }

    static Map<String, String> labels(String json) {
        try {
            return JSON.readValue(json, LABELS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored labels are not a JSON object: " + json, e);
        }
    }
}
