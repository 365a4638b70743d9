package io.tunnelvision.rules.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.KernelRates;
import io.tunnelvision.schemas.avro.LatencySample;
import io.tunnelvision.schemas.avro.LinkRate;
import io.tunnelvision.schemas.avro.LinkRates;
import io.tunnelvision.schemas.avro.PeerLatency;
import io.tunnelvision.schemas.avro.ProbePath;
import io.tunnelvision.schemas.avro.ProbeStats;
import io.tunnelvision.schemas.avro.RateHeader;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.util.List;
import org.junit.jupiter.api.Test;

class MtuMismatchDetectorTest {

    private final MtuMismatchDetector detector = new MtuMismatchDetector(DetectionThresholds.defaults());
    private static final SampleHeader HEADER = new SampleHeader("gw-a", "boot", 1L, 1_000L, "dev");

    private static InterfaceConfigSample vxlanOver(int tunnelMtu, int underlayMtu) {
        return new InterfaceConfigSample(HEADER, List.of(
                InterfaceConfig.newBuilder().setName("vx0").setIfindex(3).setKind(InterfaceKind.VXLAN)
                        .setMtu(tunnelMtu).setTxQueueLen(1000).setOperState("unknown").setRxQueues(List.of())
                        .setUnderlay("u0").build(),
                InterfaceConfig.newBuilder().setName("u0").setIfindex(2).setKind(InterfaceKind.VETH)
                        .setMtu(underlayMtu).setTxQueueLen(1000).setOperState("up").setRxQueues(List.of()).build()));
    }

    private static KernelRates fragments(double perSec) {
        return KernelRates.newBuilder().setHeader(new RateHeader("gw-a", "boot", 0L, 1_000L, 0L, 1L))
                .setIpFragCreatesPerSec(perSec).setIpReasmReqdsPerSec(0.0).build();
    }

    private static LatencySample probes(long overlayLargeUs, long underlayLargeUs, double largeLoss) {
        return new LatencySample(HEADER, 1_000L, List.of(new PeerLatency("gw-b", "vx0", List.of(
                probe(ProbePath.OVERLAY, "10.232.0.2:7784", 64, 150, 0),
                probe(ProbePath.OVERLAY, "10.232.0.2:7784", 1472, overlayLargeUs, largeLoss),
                probe(ProbePath.UNDERLAY, "10.231.0.2:7784", 64, 120, 0),
                probe(ProbePath.UNDERLAY, "10.231.0.2:7784", 1472, underlayLargeUs, 0)))));
    }

    private static ProbeStats probe(ProbePath path, String address, int size, long rttUs, double loss) {
        int received = (int) Math.round(10 * (1 - loss));
        Long rtt = received > 0 ? rttUs : null;
        return new ProbeStats(path, address, size, 10, received, rtt, rtt, rtt, null, loss);
    }

    /** A tunnel the agent found the underlay of by route (WireGuard, OpenVPN's tun), over a 1500 uplink. */
    private static InterfaceConfigSample routedOver(InterfaceKind kind, int tunnelMtu) {
        return new InterfaceConfigSample(HEADER, List.of(
                InterfaceConfig.newBuilder().setName("tun0").setIfindex(4).setKind(kind)
                        .setMtu(tunnelMtu).setTxQueueLen(500).setOperState("unknown").setRxQueues(List.of())
                        .setUnderlay("eth0").build(),
                InterfaceConfig.newBuilder().setName("eth0").setIfindex(2).setKind(InterfaceKind.PHYSICAL)
                        .setMtu(1500).setTxQueueLen(1000).setOperState("up").setRxQueues(List.of()).build()));
    }

    @Test
    void withoutProbesRisingFragmentCountersAreEnoughForARoutedTunnel() {
        Finding wg = detector.evaluate(routedOver(InterfaceKind.WIREGUARD, 1500), fragments(40), null).get(0);
        Finding ovpn = detector.evaluate(routedOver(InterfaceKind.TUN, 1500), fragments(40), null).get(0);
        Finding quiet = detector.evaluate(routedOver(InterfaceKind.WIREGUARD, 1500), fragments(0), null).get(0);

        assertTrue(wg.bad(), wg.toString());
        assertEquals(1420.0, wg.evidence().get("recommendedMtu"), "WireGuard: 80 bytes whatever the family");
        assertTrue(ovpn.bad(), ovpn.toString());
        assertEquals(1428.0, ovpn.evidence().get("recommendedMtu"), "OpenVPN, family unknown: IPv6's 72 bytes");
        assertFalse(quiet.bad(), "too big but nothing fragments: a suspect, not a hotspot");
    }

    private static LinkRates tunnelCarries(double packetsPerSec) {
        LinkRate tun0 = LinkRate.newBuilder().setName("tun0").setRxBytesPerSec(0).setRxPacketsPerSec(packetsPerSec / 2)
                .setRxErrorsPerSec(0).setRxDroppedPerSec(0).setRxFifoErrorsPerSec(0).setRxOverErrorsPerSec(0)
                .setRxFrameErrorsPerSec(0).setTxBytesPerSec(0).setTxPacketsPerSec(packetsPerSec / 2)
                .setTxErrorsPerSec(0).setTxDroppedPerSec(0).setTxFifoErrorsPerSec(0).setTxCarrierErrorsPerSec(0)
                .build();
        return LinkRates.newBuilder().setHeader(new RateHeader("gw-a", "boot", 0L, 1_000L, 0L, 1L))
                .setInterfaces(List.of(tun0)).build();
    }

    @Test
    void fragmentsCountForATunnelOnlyWhileItsOwnTrafficCouldExplainThem() {
        Finding busy = detector.evaluate(routedOver(InterfaceKind.WIREGUARD, 1500), fragments(40), null,
                tunnelCarries(60)).get(0);
        Finding idle = detector.evaluate(routedOver(InterfaceKind.WIREGUARD, 1500), fragments(40), null,
                tunnelCarries(0)).get(0);

        assertTrue(busy.bad(), busy.toString());
        assertEquals(60.0, busy.evidence().get("tunnelPacketsPerSec"));
        assertFalse(idle.bad(), "the host fragments, but not through this idle tunnel: " + idle);
    }

    @Test
    void fragmentsConfirmAndTheProbesRoundTripsAreEvidence() {
        Finding f = detector.evaluate(vxlanOver(1500, 1500), fragments(40), probes(900, 300, 0)).get(0);

        assertTrue(f.bad());
        assertEquals(1450.0, f.evidence().get("recommendedMtu"), "IPv4 underlay seen in the probes: 50 bytes");
        assertEquals(900.0, f.evidence().get("overlayRttUs"));
        assertEquals(300.0, f.evidence().get("underlayRttUs"));
        assertEquals(600.0, f.evidence().get("overlayGapUs"));
    }

    @Test
    void largeProbesMuchSlowerThroughTheTunnelConfirmWithoutFragmentCounters() {
        Finding slow = detector.evaluate(vxlanOver(1500, 1500), fragments(0), probes(5_000, 300, 0)).get(0);
        Finding close = detector.evaluate(vxlanOver(1500, 1500), fragments(0), probes(1_000, 300, 0)).get(0);

        assertTrue(slow.bad(), "4.7 ms more through the tunnel");
        assertFalse(close.bad(), "0.7 ms more is below the absolute floor");
    }

    @Test
    void lostLargeProbesConfirmAndLeaveNoRoundTripWhenNoneCameBack() {
        Finding f = detector.evaluate(vxlanOver(1500, 1500), fragments(0), probes(900, 300, 1.0)).get(0);

        assertTrue(f.bad());
        assertEquals(1.0, f.evidence().get("largeProbeLoss"));
        assertFalse(f.evidence().containsKey("overlayRttUs"), "no large overlay probe came back");
    }

    @Test
    void aTunnelThatFitsIsNeverBadWhateverTheProbesSay() {
        Finding f = detector.evaluate(vxlanOver(1450, 1500), fragments(40), probes(9_000, 300, 1.0)).get(0);

        assertFalse(f.bad());
    }
}
