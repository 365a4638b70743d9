package io.tunnelvision.streams.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.plan.PlannerSettings;
import io.tunnelvision.schemas.avro.Hotspot;
import io.tunnelvision.schemas.avro.HotspotState;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.Nic;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.Severity;
import io.tunnelvision.streams.topology.GatewaySim;
import io.tunnelvision.streams.topology.Harness;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The NIC detectors through the whole topology: one NicSample every 30 s per host, as the agent publishes them,
 * judged as the doctor judges them (the rules' NicRateCalculator and HostDetectors.onNic) with the host's latest
 * interrupt rates. The settings come from ethtool fixtures of real drivers (agent/src/test/resources/fixtures/
 * ethtool) and from a veth as NicCollectorLabIT reads it.
 */
class NicTopologyTest {

    private final Harness harness = new Harness(DetectionThresholds.defaults(), PlannerSettings.defaults());
    private final GatewaySim sim = new GatewaySim("gw-n", 2).intervalMs(30_000);

    @AfterEach
    void close() {
        harness.close();
    }

    static Nic nic(String name, String driver) {
        Nic n = new Nic();
        n.setInterface$(name);
        n.setDriver(driver);
        n.setFeatures(new HashMap<>());
        n.setCounters(new HashMap<>());
        n.setQueues(new ArrayList<>());
        return n;
    }

    /** An ixgbe port with an RX ring of 512 of 4096 that has missed {@code missed} packets so far. */
    static Nic ixgbe(String name, int ring, long missed) {
        Nic n = nic(name, "ixgbe");
        n.setRxRing(ring);
        n.setRxRingMax(4096);
        n.setTxRing(512);
        n.setTxRingMax(4096);
        n.setCounters(new HashMap<>(Map.of("rx_missed", missed, "rx_no_buffer", 0L)));
        return n;
    }

    /** A veth as `ethtool -l` shows it on 6.18: RX 1 of 4, Combined n/a; no rings, no coalescing. */
    static Nic veth(String name, int rxChannels) {
        Nic n = nic(name, "veth");
        n.setRxChannels(rxChannels);
        n.setRxChannelsMax(4);
        return n;
    }

    private NicSample nics(Nic... nics) {
        return new NicSample(sim.header(), new ArrayList<>(List.of(nics)));
    }

    private List<Hotspot> hotspots(List<Hotspot> all, HotspotType type) {
        return all.stream().filter(h -> h.getType() == type).toList();
    }

    @Test
    void aNicDroppingWithItsRingBelowTheMaximumOpensNicRxDropsAfterThreeIntervals() {
        for (int i = 0; i <= 2; i++) {
            // 9,000 missed every 30 s: 300/s
            harness.pipe(sim, nics(ixgbe("eth0", 512, 9_000L * i), ixgbe("eth1", 512, 5L * i)));
            sim.step();
        }
        assertTrue(hotspots(harness.hotspots.readValuesToList(), HotspotType.NIC_RX_DROPS).isEmpty(),
                "the first sample gives no rate: two intervals so far, openAfter is 3");
        harness.pipe(sim, nics(ixgbe("eth0", 512, 27_000L), ixgbe("eth1", 512, 15L)));
        List<Hotspot> opened = hotspots(harness.hotspots.readValuesToList(), HotspotType.NIC_RX_DROPS);
        assertEquals(1, opened.size(), "eth1's 1 drop per 6 s is below 1/s: " + opened);
        Hotspot hotspot = opened.get(0);
        assertEquals("eth0", hotspot.getTarget());
        assertEquals(HotspotState.OPEN, hotspot.getState());
        assertEquals(Severity.CRITICAL, hotspot.getSeverity(), "300/s is over 10 times the 1/s threshold");
        assertEquals(300.0, hotspot.getEvidence().get("rxRingDropsPerSec"), 1e-9);
        assertEquals(1024.0, hotspot.getEvidence().get("recommendedRxRing"));
    }

    @Test
    void aSingleRxChannelOnTwoCpusAndHeavyCoalescingAreFlaggedFromTheSettingsAlone() {
        Nic slow = ixgbe("eth0", 512, 0);
        slow.setRxUsecs(250);
        slow.setAdaptiveRx(false);
        for (int i = 0; i <= 2; i++) {
            harness.pipe(sim, sim.interrupts(1_000, 0, 0.5, 0.05));
            harness.pipe(sim, nics(slow, veth("veth0", 1)));
            sim.step();
        }
        List<Hotspot> all = harness.hotspots.readValuesToList();
        List<Hotspot> channels = hotspots(all, HotspotType.NIC_SINGLE_CHANNEL);
        assertEquals(1, channels.size(), channels.toString());
        assertEquals("veth0", channels.get(0).getTarget());
        assertEquals(2.0, channels.get(0).getEvidence().get("recommendedChannels"), "one per CPU, 2 of the 4 possible");
        assertEquals(0.0, channels.get(0).getEvidence().get("combined"), "veth: Combined n/a, RX channels");
        List<Hotspot> coalescing = hotspots(all, HotspotType.NIC_COALESCING);
        assertEquals(1, coalescing.size(), coalescing.toString());
        assertEquals("eth0", coalescing.get(0).getTarget());
        assertEquals(100.0, coalescing.get(0).getEvidence().get("recommendedRxUsecs"));
    }

    @Test
    void aNicQueueInterruptingAbove10kOnACpuBusyWithSoftirqsIsFlagged() {
        // GatewaySim's NIC vector is eth0-TxRx-0 (IRQ 24): 30,000/s, 90 % of them on CPU 0 at si 50 %
        for (int i = 0; i <= 3; i++) {
            harness.pipe(sim, sim.interrupts(30_000, 0, 0.9, 0.5));
            harness.pipe(sim, nics(ixgbe("eth0", 4096, 0)));
            sim.step();
        }
        List<Hotspot> irq = hotspots(harness.hotspots.readValuesToList(), HotspotType.NIC_IRQ_RATE);
        assertEquals(1, irq.size(), irq.toString());
        assertEquals("eth0 queue 0", irq.get(0).getTarget());
        assertEquals(30_000.0, irq.get(0).getEvidence().get("irqPerSec"), 1.0);
        assertEquals(0.0, irq.get(0).getEvidence().get("cpu"));
    }

    @Test
    void aDuplicateOrOlderNicSampleIsNotAnotherInterval() {
        Nic slow = ixgbe("eth0", 512, 0);
        slow.setRxUsecs(250);
        slow.setAdaptiveRx(false);
        harness.pipe(sim, nics(slow));
        sim.step();
        NicSample second = nics(slow);
        for (int copy = 0; copy < 3; copy++) {
            harness.pipe(sim, NicSample.newBuilder(second).setHeader(SampleHeader.newBuilder(second.getHeader())
                    .build()).build());
        }
        assertTrue(hotspots(harness.hotspots.readValuesToList(), HotspotType.NIC_COALESCING).isEmpty(),
                "two samples, however often the second is delivered, are two intervals; openAfter is 3");
        sim.step();
        harness.pipe(sim, nics(slow));
        assertEquals(1, hotspots(harness.hotspots.readValuesToList(), HotspotType.NIC_COALESCING).size(),
                "the third distinct sample opens it");
    }
}
