package io.tunnelvision.api.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tunnelvision.api.alert.HotspotTransitions.Change;
import io.tunnelvision.api.alert.HotspotTransitions.Stored;
import io.tunnelvision.api.alert.HotspotTransitions.Transition;
import io.tunnelvision.api.db.EventRows;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HotspotTransitionsTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private static EventRows.Hotspot msg(String state, String severity, int second) {
        Instant at = T0.plusSeconds(second);
        return new EventRows.Hotspot("hs-1", "HOST", "gw-1", "TX_DROPS", severity, state, "tun0", "drops", "{}",
                new String[0], T0, at, T0, at, "CLOSED".equals(state) ? at : null);
    }

    private static List<Change> changes(Stored before, EventRows.Hotspot... messages) {
        return HotspotTransitions.of(before, List.of(messages)).stream().map(Transition::change).toList();
    }

    @Test
    void aNewHotspotOpensRisesInSeverityAndCloses() {
        List<Transition> t = HotspotTransitions.of(null, List.of(msg("OPEN", "WARNING", 0),
                msg("OPEN", "WARNING", 1), msg("OPEN", "CRITICAL", 2), msg("CLOSED", "CRITICAL", 3)));

        assertEquals(List.of(Change.OPENED, Change.ESCALATED, Change.CLOSED),
                t.stream().map(Transition::change).toList());
        assertEquals("WARNING", t.get(1).previousSeverity());
    }

    @Test
    void aReplayOfStoredMessagesChangesNothing() {
        Stored stored = new Stored("OPEN", "CRITICAL", T0.plusSeconds(2));

        assertEquals(List.of(), changes(stored, msg("OPEN", "WARNING", 0), msg("OPEN", "CRITICAL", 2)));
    }

    @Test
    void aClosedHotspotNeverReopensAndALowerSeverityIsNoTransition() {
        assertEquals(List.of(), changes(new Stored("CLOSED", "WARNING", T0.plusSeconds(5)),
                msg("OPEN", "CRITICAL", 9)));
        assertEquals(List.of(), changes(new Stored("OPEN", "CRITICAL", T0), msg("OPEN", "WARNING", 1)));
        assertEquals(List.of(Change.CLOSED), changes(new Stored("OPEN", "WARNING", T0.plusSeconds(3)),
                msg("CLOSED", "WARNING", 3)));
    }

    @Test
    void severityRanksInfoBelowWarningBelowCritical() {
        assertEquals(List.of(0, 1, 2), List.of(HotspotTransitions.rank("INFO"), HotspotTransitions.rank("WARNING"),
                HotspotTransitions.rank("CRITICAL")));
    }
}
