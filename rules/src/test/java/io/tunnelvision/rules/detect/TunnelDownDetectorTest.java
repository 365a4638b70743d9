package io.tunnelvision.rules.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.rules.avro.Track;
import io.tunnelvision.rules.rates.WireguardRateCalculator;
import io.tunnelvision.rules.rates.WireguardRates;
import io.tunnelvision.schemas.avro.Hotspot;
import io.tunnelvision.schemas.avro.HotspotState;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.Severity;
import io.tunnelvision.schemas.avro.WireguardInterface;
import io.tunnelvision.schemas.avro.WireguardPeer;
import io.tunnelvision.schemas.avro.WireguardSample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * TUNNEL_DOWN over two samples as the agent publishes them (`wg show all dump`, one per round), through the rules'
 * calculator, with the fleet's default thresholds: REJECT_AFTER_TIME 180 s, a 10 s traffic window.
 */
class TunnelDownDetectorTest {

    static final String PEER = "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=";
    static final String OTHER = "gN65BkIKy1eCE9pP1wdc8ROUtkHLF2PfAqYdyYBz6EA=";
    static final String WG0_KEY = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
    static final long T0 = 1_733_450_000_000L;
    static final String TARGET = "wg0 peer TrMvSoP4";

    private final TunnelDownDetector detector = new TunnelDownDetector(DetectionThresholds.defaults());
    private final WireguardRateCalculator rates = new WireguardRateCalculator();

    static WireguardPeer peer(String key, Long handshakeMs, long rx, long tx, Integer keepalive) {
        return new WireguardPeer(key, "192.0.2.2:51820", 2, handshakeMs, rx, tx, keepalive);
    }

    static WireguardSample sample(long seq, long timeMs, WireguardPeer... peers) {
        return new WireguardSample(new SampleHeader("gw-1", "boot-1", seq, timeMs, "test"),
                List.of(new WireguardInterface("wg0", WG0_KEY, 51820, List.of(peers))));
    }

    /** The findings of the 10 s interval between a peer's two states. */
    private List<Finding> judge(WireguardPeer before, WireguardPeer after) {
        return judge(before, after, 10_000);
    }

    private List<Finding> judge(WireguardPeer before, WireguardPeer after, long intervalMs) {
        return detector.evaluate(rates.between(sample(1, T0, before), sample(2, T0 + intervalMs, after)));
    }

    private static Finding only(List<Finding> findings) {
        assertEquals(1, findings.size(), findings.toString());
        return findings.get(0);
    }

    /** A handshake {@code ageS} seconds before the second sample (T0 + 10 s). */
    private static long handshake(long ageS) {
        return T0 + 10_000 - ageS * 1000;
    }

    @Test
    void aPeerWithARecentHandshakeAndTrafficIsUp() {
        Finding f = only(judge(peer(PEER, handshake(40), 1_000_000, 2_000_000, null),
                peer(PEER, handshake(30), 1_500_000, 2_600_000, null)));
        assertFalse(f.bad());
        assertEquals(TARGET, f.target());
        assertEquals(30.0, f.evidence().get("handshakeAgeS"));
        assertEquals(60_000.0, f.evidence().get("txBytesPerSec"));
        assertEquals(50_000.0, f.evidence().get("rxBytesPerSec"));
    }

    @Test
    void aPeerSentToWhoseHandshakeIsOlderThanRejectAfterTimeIsDownAndCritical() {
        Finding f = only(judge(peer(PEER, handshake(181), 1_000_000, 2_000_000, null),
                peer(PEER, handshake(181), 1_000_000, 2_000_296, null)));
        assertTrue(f.bad());
        assertEquals(HotspotType.TUNNEL_DOWN, f.type());
        assertEquals(Severity.CRITICAL, f.severity());
        assertEquals(TARGET, f.target());
        assertEquals(181.0, f.evidence().get("handshakeAgeS"));
        assertEquals(0.0, f.evidence().get("handshakeNever"));
        assertEquals(29.6, f.evidence().get("txBytesPerSec"), 1e-9);
        assertEquals(0.0, f.evidence().get("rxBytesPerSec"));
        assertTrue(f.summary().contains("endpoint 192.0.2.2:51820"), f.summary());
        assertTrue(f.summary().contains(PEER), "the whole key, to find the peer in wg show: " + f.summary());
        assertTrue(f.summary().contains("181 s ago"), f.summary());
    }

    @Test
    void aHandshakeOfExactlyRejectAfterTimeIsStillValid() {
        assertFalse(only(judge(peer(PEER, handshake(180), 0, 1000, null), peer(PEER, handshake(180), 0, 2000, null)))
                .bad());
    }

    @Test
    void anOldHandshakeWithNothingSentIsIdleNotDown() {
        Finding f = only(judge(peer(PEER, handshake(900), 5_000, 7_000, null),
                peer(PEER, handshake(900), 5_000, 7_000, null)));
        assertFalse(f.bad(), "WireGuard handshakes only when it has something to send");
        assertEquals(900.0, f.evidence().get("handshakeAgeS"));
    }

    @Test
    void aPeerThatNeverHandshakenAndSendsNothingIsIdle() {
        Finding f = only(judge(peer(PEER, null, 0, 148, null), peer(PEER, null, 0, 148, null)));
        assertFalse(f.bad());
        assertEquals(1.0, f.evidence().get("handshakeNever"));
        assertFalse(f.evidence().containsKey("handshakeAgeS"));
    }

    @Test
    void aPeerThatNeverHandshakenWhileItsInitiationsGoOutIsDown() {
        // two 148-byte initiations in 10 s, never answered: the handshake does not succeed, nothing passes
        Finding f = only(judge(peer(PEER, null, 0, 148, null), peer(PEER, null, 0, 444, null)));
        assertTrue(f.bad());
        assertEquals(Severity.CRITICAL, f.severity());
        assertEquals(1.0, f.evidence().get("handshakeNever"));
        assertTrue(f.summary().contains("never completed a handshake"), f.summary());
    }

    @Test
    void aCounterResetLeavesTheIntervalUnknownNeverIdle() {
        // the interface was recreated: tx went down, so no rate, and a silent peer cannot be told from a trying one
        assertEquals(List.of(), judge(peer(PEER, handshake(600), 9_000, 90_000, null),
                peer(PEER, handshake(600), 0, 148, null)));
        WireguardRates.PeerRate rate = rates.between(sample(1, T0, peer(PEER, handshake(600), 9_000, 90_000, null)),
                sample(2, T0 + 10_000, peer(PEER, handshake(600), 0, 148, null))).peers().get(0);
        assertNull(rate.txBytesPerSec(), "unknown, never 0");
        assertNull(rate.rxBytesPerSec());
    }

    @Test
    void aCounterResetStillJudgesAFreshHandshakeAndAKeepalivePeer() {
        assertFalse(only(judge(peer(PEER, handshake(600), 9_000, 90_000, null), peer(PEER, handshake(2), 92, 148,
                null))).bad(), "a fresh handshake is up whatever the counters say");
        Finding kept = only(judge(peer(PEER, handshake(600), 9_000, 90_000, 25),
                peer(PEER, handshake(600), 0, 148, 25)));
        assertTrue(kept.bad());
        assertFalse(kept.evidence().containsKey("txBytesPerSec"), "no made-up rate in the evidence");
    }

    @Test
    void aKeepalivePeerWithAnOldHandshakeIsDownEvenWhenNothingWasSent() {
        Finding f = only(judge(peer(PEER, handshake(200), 4_000, 8_000, 25), peer(PEER, handshake(200), 4_000, 8_000,
                25)));
        assertTrue(f.bad(), "a persistent keepalive keeps the session up by itself: an old handshake is a failure");
        assertEquals(25.0, f.evidence().get("persistentKeepaliveS"));
        assertTrue(f.summary().contains("keepalive (25 s)"), f.summary());
    }

    @Test
    void aRoamingClientAHubHasNoEndpointForIsNotDownForItsKeepalive() {
        // a hub's peer for a laptop that has not connected since the hub came up: keepalive configured, no endpoint,
        // no handshake, nothing sent (WireGuard cannot send without an endpoint): waiting, not down
        WireguardPeer waiting = new WireguardPeer(PEER, null, 1, null, 0L, 0L, 25);
        assertFalse(only(judge(waiting, waiting)).bad());
        // once it had connected (the endpoint is known) its keepalive does expect traffic
        WireguardPeer gone = new WireguardPeer(PEER, "198.51.100.7:40112", 1, handshake(400), 9_000L, 4_000L, 25);
        assertTrue(only(judge(gone, gone)).bad());
    }

    @Test
    void aKeepaliveOfZeroIsOff() {
        assertFalse(only(judge(peer(PEER, handshake(200), 0, 8_000, 0), peer(PEER, handshake(200), 0, 8_000, 0)))
                .bad());
    }

    @Test
    void silenceOverAnIntervalShorterThanAHandshakeRetryIsUnknown() {
        // 1 s between samples: a peer trying every 5 s sends nothing in most of them, which is not idleness
        assertEquals(List.of(), judge(peer(PEER, handshake(300), 0, 592, null), peer(PEER, handshake(300), 0, 592,
                null), 1_000));
        assertTrue(only(judge(peer(PEER, handshake(300), 0, 592, null), peer(PEER, handshake(300), 0, 740, null),
                1_000)).bad(), "an initiation in a short interval is enough");
    }

    @Test
    void aPeerNewInTheIntervalHasUnknownRates() {
        List<Finding> findings = detector.evaluate(rates.between(sample(1, T0, peer(OTHER, handshake(5), 0, 0, null)),
                sample(2, T0 + 10_000, peer(OTHER, handshake(5), 0, 0, null), peer(PEER, handshake(400), 0, 0, null))));
        assertEquals(1, findings.size(), "the new peer is unknown, the old one up: " + findings);
        assertEquals("wg0 peer gN65BkIK", findings.get(0).target());
    }

    @Test
    void eachPeerOfEachInterfaceHasItsOwnTarget() {
        WireguardSample before = new WireguardSample(new SampleHeader("gw-1", "boot-1", 1L, T0, "test"), List.of(
                new WireguardInterface("wg0", WG0_KEY, 51820, List.of(peer(PEER, handshake(500), 0, 100, null),
                        peer(OTHER, handshake(10), 0, 100, null))),
                new WireguardInterface("wg1", WG0_KEY, null, List.of(peer(PEER, handshake(500), 0, 100, null)))));
        WireguardSample after = new WireguardSample(new SampleHeader("gw-1", "boot-1", 2L, T0 + 10_000, "test"),
                List.of(new WireguardInterface("wg0", WG0_KEY, 51820, List.of(peer(PEER, handshake(500), 0, 400, null),
                                peer(OTHER, handshake(10), 0, 400, null))),
                        new WireguardInterface("wg1", WG0_KEY, null, List.of(peer(PEER, handshake(500), 0, 100,
                                null)))));
        List<String> bad = detector.evaluate(rates.between(before, after)).stream()
                .map(f -> f.target() + "=" + f.bad()).toList();
        assertEquals(List.of("wg0 peer TrMvSoP4=true", "wg0 peer gN65BkIK=false", "wg1 peer TrMvSoP4=false"), bad);
    }

    @Test
    void theHotspotOpensAfterThreeDownWindowsAndClosesAfterFiveWithAFreshHandshake() {
        HotspotTracker tracker = HotspotTracker.of(DetectionThresholds.defaults());
        Track track = null;
        List<Hotspot> published = new ArrayList<>();
        long handshakeMs = T0 - 200_000;
        WireguardSample previous = sample(0, T0, peer(PEER, handshakeMs, 1_000, 1_000, null));
        long tx = 1_000;
        for (int i = 1; i <= 8; i++) {
            boolean recovered = i > 3;
            long now = T0 + i * 10_000L;
            tx += 296;
            WireguardSample next = sample(i, now, peer(PEER, recovered ? now - 2_000 : handshakeMs, 1_000 + i,
                    tx, null));
            Finding f = only(detector.evaluate(rates.between(previous, next)));
            if (track == null) {
                track = HotspotTracker.newTrack(f);
            }
            Optional<Hotspot> h = tracker.apply(track, "gw-1", f, previous.getHeader().getSampleTimeMs(), now);
            h.ifPresent(published::add);
            previous = next;
        }
        assertEquals(2, published.size(), published.toString());
        Hotspot opened = published.get(0);
        assertEquals(HotspotState.OPEN, opened.getState());
        assertEquals(Severity.CRITICAL, opened.getSeverity());
        assertEquals(T0 + 30_000, opened.getOpenedAtMs(), "on the third down window");
        assertEquals("tunnel_down:gw-1:wg0 peer TrMvSoP4:" + (T0 + 30_000), opened.getHotspotId());
        Hotspot closed = published.get(1);
        assertEquals(HotspotState.CLOSED, closed.getState());
        assertEquals(opened.getHotspotId(), closed.getHotspotId());
        assertEquals(T0 + 80_000, closed.getClosedAtMs(), "after five windows with a fresh handshake");
    }

    @Test
    void theThresholdsAreNamedAndCanBeOverridden() {
        assertEquals(Duration.ofSeconds(180), DetectionThresholds.defaults().tunnelHandshakeMaxAge());
        DetectionThresholds longer = DetectionThresholds.defaults().withOverrides("tunnelHandshakeMaxAge=300s");
        List<Finding> findings = new TunnelDownDetector(longer).evaluate(rates.between(
                sample(1, T0, peer(PEER, handshake(200), 0, 100, null)),
                sample(2, T0 + 10_000, peer(PEER, handshake(200), 0, 400, null))));
        assertFalse(only(findings).bad());
    }
}
