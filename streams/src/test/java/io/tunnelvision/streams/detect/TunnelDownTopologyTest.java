package io.tunnelvision.streams.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.plan.PlannerSettings;
import io.tunnelvision.schemas.avro.Hotspot;
import io.tunnelvision.schemas.avro.HotspotScope;
import io.tunnelvision.schemas.avro.HotspotState;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.Severity;
import io.tunnelvision.schemas.avro.WireguardInterface;
import io.tunnelvision.schemas.avro.WireguardPeer;
import io.tunnelvision.schemas.avro.WireguardSample;
import io.tunnelvision.streams.topology.Harness;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * TUNNEL_DOWN through the whole topology: one WireguardSample a second per host, as the agent publishes them, with
 * a peer whose handshake initiations go out every 5 s (148 bytes each) and are never answered.
 */
class TunnelDownTopologyTest {

    private static final String HOST = "gw-wg";
    private static final String PEER = "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=";
    private static final String IDLE = "gN65BkIKy1eCE9pP1wdc8ROUtkHLF2PfAqYdyYBz6EA=";
    private static final long T0 = 1_733_450_000_000L;

    private Harness harness = harness(DetectionThresholds.defaults());
    private long sequence;

    private static Harness harness(DetectionThresholds thresholds) {
        return new Harness(thresholds, PlannerSettings.defaults().withEnabled(false));
    }

    @AfterEach
    void close() {
        harness.close();
    }

    private void pipe(long timeMs, WireguardPeer... peers) {
        WireguardSample sample = new WireguardSample(new SampleHeader(HOST, "boot-1", sequence++, timeMs, "test"),
                List.of(new WireguardInterface("wg0", "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=", 51820,
                        List.of(peers))));
        harness.pipe(HOST, sample, timeMs);
    }

    private static WireguardPeer peer(String key, Long handshakeMs, long rx, long tx) {
        return new WireguardPeer(key, "192.0.2.2:51820", 2, handshakeMs, rx, tx, null);
    }

    private List<Hotspot> tunnelDown() {
        return harness.hotspots.readValuesToList().stream().filter(h -> h.getType() == HotspotType.TUNNEL_DOWN)
                .toList();
    }

    @Test
    void aPeerWhoseHandshakesGoUnansweredOpensACriticalHotspotThatAFreshHandshakeCloses() {
        long handshake = T0 - 200_000;
        long tx = 50_000;
        for (int s = 0; s <= 29; s++) {
            tx += s % 5 == 0 ? 148 : 0;
            pipe(T0 + s * 1000L, peer(PEER, handshake, 40_000, tx));
        }
        assertEquals(List.of(), tunnelDown(), "two 10 s windows down are not enough (openAfter=3)");

        pipe(T0 + 30_000, peer(PEER, handshake, 40_000, tx + 148));
        List<Hotspot> opened = tunnelDown();
        assertEquals(1, opened.size(), opened.toString());
        Hotspot hotspot = opened.get(0);
        assertEquals(HotspotState.OPEN, hotspot.getState());
        assertEquals(HotspotScope.HOST, hotspot.getScope());
        assertEquals(Severity.CRITICAL, hotspot.getSeverity());
        assertEquals(HOST, hotspot.getHostId());
        assertEquals("wg0 peer TrMvSoP4", hotspot.getTarget());
        assertEquals("tunnel_down:gw-wg:wg0 peer TrMvSoP4:" + (T0 + 30_000), hotspot.getHotspotId());
        assertEquals(230.0, hotspot.getEvidence().get("handshakeAgeS"));
        assertEquals(29.6, hotspot.getEvidence().get("txBytesPerSec"), 1e-9, "two initiations in the window");
        assertTrue(hotspot.getSummary().contains("endpoint 192.0.2.2:51820"), hotspot.getSummary());
        assertTrue(harness.commands.isEmpty() && harness.proposals.isEmpty(), "no remedy is proposed");

        // the peer answers: a fresh handshake, data both ways
        long rx = 40_000;
        for (int s = 31; s <= 79; s++) {
            tx += 3_000;
            rx += 2_000;
            pipe(T0 + s * 1000L, peer(PEER, T0 + 31_000, rx, tx));
        }
        assertEquals(List.of(), tunnelDown(), "four good windows are not enough (closeAfter=5)");
        pipe(T0 + 80_000, peer(PEER, T0 + 31_000, rx + 2_000, tx + 3_000));
        List<Hotspot> closed = tunnelDown();
        assertEquals(1, closed.size(), closed.toString());
        assertEquals(HotspotState.CLOSED, closed.get(0).getState());
        assertEquals(hotspot.getHotspotId(), closed.get(0).getHotspotId());
        assertEquals(T0 + 80_000, closed.get(0).getClosedAtMs());
    }

    @Test
    void idlePeersOpenNothing() {
        // an old handshake and nothing to send; a peer configured but never heard from, one initiation long ago
        for (int s = 0; s <= 120; s++) {
            pipe(T0 + s * 1000L, peer(PEER, T0 - 600_000, 9_000, 12_000), peer(IDLE, null, 0, 148));
        }
        assertEquals(List.of(), tunnelDown());
    }

    @Test
    void aDuplicateOrLateSampleIsDroppedAsForTheOtherSamples() {
        harness.close();
        // one good interval would close the hotspot: the late sample's fresh handshake must not be judged
        harness = harness(DetectionThresholds.defaults().withOverrides("closeAfter=1"));
        long handshake = T0 - 200_000;
        for (int s = 0; s <= 30; s++) {
            pipe(T0 + s * 1000L, peer(PEER, handshake, 40_000, 50_000 + 148L * (s / 5)));
        }
        assertEquals(1, tunnelDown().size());
        // a replay of an early sample (lower sequence) after a fail-over neither rates nor moves the baseline
        WireguardSample early = new WireguardSample(new SampleHeader(HOST, "boot-1", 3L, T0 + 3_000, "test"),
                List.of(new WireguardInterface("wg0", "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=", 51820,
                        List.of(peer(PEER, T0 + 2_000, 40_000, 50_000)))));
        harness.pipe(HOST, early, T0 + 31_000);
        for (int s = 32; s <= 40; s++) {
            pipe(T0 + s * 1000L, peer(PEER, handshake, 40_000, 50_000 + 148L * (s / 5)));
        }
        assertEquals(List.of(), tunnelDown(), "no close: the fresh handshake was in a stale sample");
    }
}
