package io.tunnelvision.local.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.agent.collect.WgDump;
import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.detect.TunnelDownDetector;
import io.tunnelvision.rules.rates.WireguardRateCalculator;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.WireguardInterface;
import io.tunnelvision.schemas.avro.WireguardPeer;
import io.tunnelvision.schemas.avro.WireguardSample;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The simulated WireGuard peers, read as the agent reads a real tunnel (its parser of {@code wg show all dump})
 * and judged by the rules' TUNNEL_DOWN detector, so that the demo's fault is one the fleet's rule sees for the
 * reasons a real tunnel would give it.
 */
class WireguardPeersTest {

    private static final long EPOCH = 1_796_000_000_000L;
    private static final TrafficLoad LOAD = new TrafficLoad(10_000, 8_000, 0.3, 200);

    private final TunnelDownDetector detector = new TunnelDownDetector(DetectionThresholds.defaults());
    private final WireguardRateCalculator rates = new WireguardRateCalculator();
    private final SimulatedGateway gateway = new SimulatedGateway("gw-wg", 4, TunnelKind.WIREGUARD, 3);
    private long seconds;
    private long sequence;

    private void run(long untilSecond) {
        while (seconds < untilSecond) {
            gateway.advance(Duration.ofSeconds(1), LOAD);
            seconds++;
        }
    }

    private WireguardSample sample() {
        long now = EPOCH + seconds * 1000;
        WgDump.Parsed parsed = WgDump.parse(gateway.wireguardDump(now));
        assertEquals(List.of(), parsed.malformed(), "the model prints what wg prints");
        return new WireguardSample(new SampleHeader("gw-wg", gateway.bootId(), sequence++, now, "test"),
                parsed.interfaces());
    }

    private static List<WireguardPeer> peers(WireguardSample sample) {
        assertEquals(1, sample.getInterfaces().size());
        WireguardInterface wg0 = sample.getInterfaces().get(0);
        assertEquals("wg0", wg0.getName());
        assertEquals(51820, wg0.getListenPort());
        return wg0.getPeers();
    }

    /** TUNNEL_DOWN findings over the 10 s before now, by target: true where the peer is judged down. */
    private Map<String, Boolean> judgeLastTenSeconds() {
        WireguardSample before = sample();
        run(seconds + 10);
        WireguardSample after = sample();
        List<Finding> findings = detector.evaluate(rates.between(before, after));
        findings.forEach(f -> assertEquals(HotspotType.TUNNEL_DOWN, f.type()));
        return findings.stream().collect(Collectors.toMap(Finding::target, Finding::bad));
    }

    @Test
    void aHealthyTunnelShowsBothPeersWithFreshHandshakesAndRisingCounters() {
        run(10);
        List<WireguardPeer> first = peers(sample());
        assertEquals(2, first.size());
        assertEquals(2, first.get(0).getAllowedIps());
        assertNull(first.get(0).getPersistentKeepaliveS(), "the site link relies on its traffic");
        assertEquals(25, first.get(1).getPersistentKeepaliveS());
        for (WireguardPeer p : first) {
            assertTrue(p.getEndpoint().endsWith(":51820"), p.getEndpoint());
            assertNotNull(p.getLatestHandshakeMs(), "traffic began a handshake");
            assertTrue(EPOCH + 10_000 - p.getLatestHandshakeMs() <= 10_000, "handshake within the run");
        }
        run(70);
        List<WireguardPeer> later = peers(sample());
        for (int i = 0; i < 2; i++) {
            assertTrue(later.get(i).getRxBytes() > first.get(i).getRxBytes());
            assertTrue(later.get(i).getTxBytes() > first.get(i).getTxBytes());
        }
        // the site link carries the tunnel: its bytes are the tunnel's, far above the branch site's trickle
        assertTrue(later.get(0).getTxBytes() > 100 * later.get(1).getTxBytes());
        assertTrue(judgeLastTenSeconds().values().stream().noneMatch(Boolean::booleanValue), "nothing is down");
    }

    @Test
    void aPeerThatAnswersNothingAgesPastRejectAfterTimeAndIsDownThenComesBack() {
        run(15);
        Fault down = new Fault.WireguardPeerDown(1);
        gateway.inject(down);
        run(60);
        WireguardPeer atSixty = peers(sample()).get(1);
        run(200);
        WireguardPeer atTwoHundred = peers(sample()).get(1);
        run(250);
        WireguardSample late = sample();
        WireguardPeer branch = peers(late).get(1);
        WireguardPeer site = peers(late).get(0);
        assertEquals(atSixty.getRxBytes(), branch.getRxBytes(), "nothing comes back from the dead peer");
        assertTrue(late.getHeader().getSampleTimeMs() - branch.getLatestHandshakeMs() > 180_000,
                "its latest handshake is older than REJECT_AFTER_TIME");
        // the session died at 180 s: from then on only the initiations go out, one every 5 s
        assertEquals(0, (branch.getTxBytes() - atTwoHundred.getTxBytes()) % WireguardPeers.INITIATION_BYTES,
                "nothing but initiations after REJECT_AFTER_TIME");
        long initiations = (branch.getTxBytes() - atTwoHundred.getTxBytes()) / WireguardPeers.INITIATION_BYTES;
        assertTrue(initiations >= 9 && initiations <= 11, "an initiation every 5 s for 50 s: " + initiations);
        assertTrue(late.getHeader().getSampleTimeMs() - site.getLatestHandshakeMs() < 120_000,
                "the site link keeps rekeying every 120 s");

        Map<String, Boolean> judged = judgeLastTenSeconds();
        String branchTarget = TunnelDownDetector.target("wg0", branch.getPublicKey());
        String siteTarget = TunnelDownDetector.target("wg0", site.getPublicKey());
        assertEquals(Boolean.TRUE, judged.get(branchTarget), judged.toString());
        assertEquals(Boolean.FALSE, judged.get(siteTarget), judged.toString());

        gateway.clear(down);
        run(seconds + 2);
        Map<String, Boolean> back = judgeLastTenSeconds();
        assertEquals(Boolean.FALSE, back.get(branchTarget), "a handshake completes as soon as it answers: " + back);
    }

    @Test
    void onlyAWireGuardTunnelHasPeers() {
        SimulatedGateway vxlan = new SimulatedGateway("gw-vx", 4, TunnelKind.VXLAN, 3);
        vxlan.advance(Duration.ofSeconds(1), LOAD);
        assertNull(vxlan.wireguardDump(EPOCH));
        assertFalse(gateway.wireguardDump(EPOCH).isEmpty());
    }
}
