package io.tunnelvision.api.alert;

import io.tunnelvision.api.db.EventRows;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a hotspot's lifecycle messages do to the stored hotspot, message by message, with the rules of the
 * hotspots upsert ({@code EventDao.upsertHotspots}): a message applies only if it is newer, and a closed hotspot
 * never reopens. Pure, so that ingest derives the same transitions from the same messages whichever instance
 * (or replay) stores them.
 */
public final class HotspotTransitions {

    /** The stored hotspot before a message: its state, severity and the time of its last update. */
    public record Stored(String state, String severity, Instant updatedAt) {
    }

    public enum Change { OPENED, ESCALATED, CLOSED }

    /** One transition: the message that made it and, for an escalation, the severity it rose from. */
    public record Transition(Change change, EventRows.Hotspot hotspot, String previousSeverity) {
    }

    private HotspotTransitions() {
    }

    /**
     * @param before   the stored row before these messages, or null when the hotspot is new
     * @param messages the messages of one hotspot in arrival order
     */
    public static List<Transition> of(Stored before, List<EventRows.Hotspot> messages) {
        List<Transition> out = new ArrayList<>();
        Stored current = before;
        for (EventRows.Hotspot m : messages) {
            if (!applies(current, m)) {
                continue;
            }
            boolean closed = "CLOSED".equals(m.state());
            if (current == null) {
                out.add(new Transition(closed ? Change.CLOSED : Change.OPENED, m, null));
            } else if (closed && "OPEN".equals(current.state())) {
                out.add(new Transition(Change.CLOSED, m, null));
            } else if (!closed && rank(m.severity()) > rank(current.severity())) {
                out.add(new Transition(Change.ESCALATED, m, current.severity()));
            }
            // as the upsert stores it; an escalation to a severity reached before is the same transition again
            // (same dedupe key), so a hotspot that drops and rises again alerts once per severity
            current = new Stored(m.state(), m.severity(), m.updatedAt());
        }
        return out;
    }

    /** The upsert's condition: never reopen, only move forward in time (a close at the same time wins). */
    static boolean applies(Stored current, EventRows.Hotspot m) {
        if (current == null) {
            return true;
        }
        if ("CLOSED".equals(current.state()) && "OPEN".equals(m.state())) {
            return false;
        }
        return m.updatedAt().isAfter(current.updatedAt())
                || (m.updatedAt().equals(current.updatedAt()) && "CLOSED".equals(m.state())
                && "OPEN".equals(current.state()));
    }

    /** INFO < WARNING < CRITICAL; anything else ranks lowest. */
    public static int rank(String severity) {
        return switch (severity == null ? "" : severity) {
            case "CRITICAL" -> 2;
            case "WARNING" -> 1;
            default -> 0;
        };
    }
}
