package io.tunnelvision.streams.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.schemas.avro.Hotspot;
import io.tunnelvision.schemas.avro.HotspotScope;
import io.tunnelvision.schemas.avro.HotspotState;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.SoftnetSample;
import io.tunnelvision.rules.plan.PlannerSettings;
import io.tunnelvision.streams.topology.GatewaySim;
import io.tunnelvision.streams.topology.Harness;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each host detector through the whole topology: positive, negative and the noisy-but-healthy case. */
class HostDetectorsTopologyTest {

    private final Harness harness = new Harness(DetectionThresholds.defaults(),
            PlannerSettings.defaults().withEnabled(false));
    private final GatewaySim sim = new GatewaySim("gw-1", 4);

    @AfterEach
    void close() {
        harness.close();
    }

    private List<Hotspot> hotspots(HotspotType type) {
        return harness.hotspots.readValuesToList().stream().filter(h -> h.getType() == type).toList();
    }

    private void softnetIntervals(int intervals, long squeezes, long drops) {
        for (int i = 0; i < intervals; i++) {
            harness.pipe(sim, sim.softnet(squeezes, drops));
            sim.step();
        }
    }

    @Test
    void anInstanceTakingOverFromTheStoresCarriesOnWithTheSameRatesAndStreaks() {
        softnetIntervals(3, 50, 0);
        try (Harness takeOver = new Harness(DetectionThresholds.defaults(),
                PlannerSettings.defaults().withEnabled(false))) {
            harness.copyStateTo(takeOver);
            SoftnetSample third = sim.softnet(50, 0);
            harness.pipe(sim, third);
            takeOver.pipe(sim, third);

            assertEquals(harness.softnetRates.readRecordsToList().get(2).value(),
                    takeOver.softnetRates.readValue(), "the same rate from the restored previous sample");
            Hotspot opened = hotspots(HotspotType.SOFTNET_SQUEEZE).get(0);
            assertEquals(List.of(opened), takeOver.hotspots.readValuesToList(),
                    "the third bad interval opens the hotspot on both: the streak of two was in the store");
        }
    }

    @Test
    void aSustainedSqueezeOpensAHotspotAfterNBadIntervalsAndClosesAfterMGoodOnes() {
        softnetIntervals(3, 50, 0);
        assertTrue(harness.hotspots.isEmpty(), "two bad intervals are not enough (openAfter=3)");

        softnetIntervals(1, 50, 0);
        Hotspot opened = harness.hotspots.readValue();
        assertEquals(HotspotType.SOFTNET_SQUEEZE, opened.getType());
        assertEquals(HotspotState.OPEN, opened.getState());
        assertEquals("gw-1", opened.getHostId());
        assertEquals(50.0, opened.getEvidence().get("timeSqueezePerSec"));

        softnetIntervals(4, 0, 0);
        assertTrue(harness.hotspots.isEmpty(), "four good intervals are not enough (closeAfter=5)");
        softnetIntervals(1, 0, 0);
        Hotspot closed = harness.hotspots.readValue();
        assertEquals(HotspotState.CLOSED, closed.getState());
        assertEquals(opened.getHotspotId(), closed.getHotspotId());
        assertEquals(sim.timeMs() - 1000, closed.getClosedAtMs());
    }

    @Test
    void anIdleHostWithAHandfulOfSqueezesAnHourNeverOpensAHotspot() {
        // one hour at 1 s sampling; six squeezes, three of them in consecutive seconds
        Set<Integer> squeezeAt = Set.of(120, 121, 122, 1800, 2500, 3300);
        for (int second = 0; second < 3600; second++) {
            harness.pipe(sim, sim.softnet(squeezeAt.contains(second) ? 1 : 0, 0));
            sim.step();
        }

        assertTrue(harness.hotspots.isEmpty(), "noise opened " + harness.hotspots.readValuesToList());
        assertEquals(3599, harness.softnetRates.getQueueSize());
    }

    @Test
    void backlogDropsOpenAHotspot() {
        softnetIntervals(4, 0, 20);

        assertEquals(1, hotspots(HotspotType.BACKLOG_DROPS).size());
    }

    @Test
    void txDropsOnATunnelWhileNoCpuIsSaturatedPointAtTheQueue() {
        harness.pipe(sim, sim.interfaces(GatewaySim.tunnel("tun0", InterfaceKind.TUN, 1400, 1000, "0", "eth0"),
                GatewaySim.physical("eth0", 1500)));
        for (int i = 0; i < 5; i++) {
            harness.pipe(sim, sim.interrupts(2000, 0, 0.5, 0.1));
            harness.pipe(sim, sim.link("tun0", 40, 0));
            sim.step();
        }

        List<Hotspot> opened = hotspots(HotspotType.TX_DROPS);
        assertEquals(1, opened.size());
        assertEquals("tun0", opened.get(0).getTarget());
        assertEquals(1000.0, opened.get(0).getEvidence().get("txQueueLen"));
    }

    @Test
    void txDropsWhileACpuIsSaturatedAreNotBlamedOnTheQueue() {
        harness.pipe(sim, sim.interfaces(GatewaySim.tunnel("tun0", InterfaceKind.TUN, 1400, 1000, "0", "eth0"),
                GatewaySim.physical("eth0", 1500)));
        for (int i = 0; i < 6; i++) {
            harness.pipe(sim, sim.interrupts(2000, 0, 0.5, 0.9));
            harness.pipe(sim, sim.link("tun0", 40, 0));
            sim.step();
        }

        assertTrue(hotspots(HotspotType.TX_DROPS).isEmpty());
    }

    @Test
    void rxOverrunsOpenAHotspotOnTheirInterface() {
        for (int i = 0; i < 4; i++) {
            harness.pipe(sim, sim.link("eth0", 0, 25));
            sim.step();
        }

        assertEquals("eth0", hotspots(HotspotType.RX_OVERRUNS).get(0).getTarget());
    }

    @Test
    void rpsOffOnAMultiCoreHostWithNetRxOnOneCpuIsAHotspotOfTheTunnel() {
        harness.pipe(sim, sim.interfaces(GatewaySim.tunnel("wg0", InterfaceKind.WIREGUARD, 1420, 1000, "0", "eth0"),
                GatewaySim.physical("eth0", 1500)));
        for (int i = 0; i < 4; i++) {
            harness.pipe(sim, sim.interrupts(20_000, 0, 0.97, 0.6));
            sim.step();
        }

        List<Hotspot> all = harness.hotspots.readValuesToList();
        assertTrue(all.stream().anyMatch(h -> h.getType() == HotspotType.RPS_OFF && h.getTarget().equals("wg0")), all.toString());
        assertTrue(all.stream().anyMatch(h -> h.getType() == HotspotType.SOFTIRQ_CONCENTRATION));
        // eth0 has one queue (eth0-TxRx-0): its IRQ on one CPU is by design, RPS is the remedy, not affinity
        assertTrue(all.stream().noneMatch(h -> h.getType() == HotspotType.IRQ_CONCENTRATION), all.toString());
    }

    @Test
    void rpsOffOnASingleCpuHostIsNoHotspot() {
        GatewaySim single = new GatewaySim("gw-small", 1);
        harness.pipe(single, single.interfaces(GatewaySim.tunnel("wg0", InterfaceKind.WIREGUARD, 1420, 1000, "0",
                "eth0"), GatewaySim.physical("eth0", 1500)));
        for (int i = 0; i < 5; i++) {
            harness.pipe(single, single.interrupts(20_000, 0, 1.0, 0.6));
            single.step();
        }

        assertTrue(harness.hotspots.isEmpty());
    }

    @Test
    void anMtuMismatchConfirmedByFragmentationIsAHotspotWithTheRoomLeft() {
        harness.pipe(sim, sim.interfaces(GatewaySim.tunnel("wg0", InterfaceKind.WIREGUARD, 1500, 1000, "f", "eth0"),
                GatewaySim.physical("eth0", 1500)));
        for (int i = 0; i < 4; i++) {
            harness.pipe(sim, sim.kernel(0, 300));
            sim.step();
        }

        Hotspot mtu = hotspots(HotspotType.MTU_MISMATCH).get(0);
        assertEquals("wg0", mtu.getTarget());
        assertEquals(1420.0, mtu.getEvidence().get("recommendedMtu"), "unknown underlay family: IPv6 overhead 80");
    }

    @Test
    void anOversizedMtuWithoutFragmentsOrLostProbesIsNotAHotspot() {
        harness.pipe(sim, sim.interfaces(GatewaySim.tunnel("wg0", InterfaceKind.WIREGUARD, 1500, 1000, "f", "eth0"),
                GatewaySim.physical("eth0", 1500)));
        for (int i = 0; i < 6; i++) {
            harness.pipe(sim, sim.kernel(0, 0));
            sim.step();
        }

        assertTrue(harness.hotspots.isEmpty());
    }

    @Test
    void udpReceiveBufferErrorsOpenAHotspot() {
        for (int i = 0; i < 4; i++) {
            harness.pipe(sim, sim.kernel(30, 0));
            sim.step();
        }

        Hotspot udp = hotspots(HotspotType.UDP_BUFFER_ERRORS).get(0);
        assertEquals(HotspotScope.HOST, udp.getScope());
        assertEquals(30.0, udp.getEvidence().get("udpRcvbufErrorsPerSec"));
    }
}
