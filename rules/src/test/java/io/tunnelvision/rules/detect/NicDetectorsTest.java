package io.tunnelvision.rules.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.rules.rates.NicRateCalculator;
import io.tunnelvision.rules.rates.NicRates;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.IrqLineRate;
import io.tunnelvision.schemas.avro.Nic;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.RateHeader;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.Severity;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The NIC detectors over NIC samples whose settings are those of the agent's real ethtool fixtures
 * (agent/src/test/resources/fixtures/ethtool: ena-rings, ice-channels, virtio-channels, adaptive-off-coalesce,
 * adaptive-on-coalesce) and of a veth as NicCollectorLabIT reads it (RX 1 of 4, Combined n/a, no rings).
 */
class NicDetectorsTest {

    private static final long T0 = 1_700_000_000_000L;
    private final HostDetectors detectors = new HostDetectors(DetectionThresholds.defaults());

    private static Nic nic(String name, String driver) {
        Nic n = new Nic();
        n.setInterface$(name);
        n.setDriver(driver);
        n.setFeatures(Map.of());
        n.setCounters(Map.of());
        n.setQueues(List.of());
        return n;
    }

    /** ena-rings.txt: RX 1024 of 16384, TX 1024 of 1024. */
    private static Nic ena(long missed, long noBuffer) {
        Nic n = nic("ens5", "ena");
        n.setRxRing(1024);
        n.setRxRingMax(16384);
        n.setTxRing(1024);
        n.setTxRingMax(1024);
        n.setCounters(Map.of("rx_missed", missed, "rx_no_buffer", noBuffer));
        return n;
    }

    private static NicSample sample(long seq, long at, Nic... nics) {
        return new NicSample(new SampleHeader("gw", "b", seq, at, "t"), List.of(nics));
    }

    private static NicRates rates(Nic before, Nic after) {
        return new NicRateCalculator().between(sample(1, T0, before), sample(31, T0 + 30_000, after));
    }

    private static Map<String, Finding> byKey(List<Finding> findings) {
        return findings.stream().collect(Collectors.toMap(f -> f.type() + "|" + f.target(), f -> f));
    }

    private Map<String, Finding> judgeNic(NicRates rates, NicSample sample, int cpus) {
        InterruptRates irq = cpus < 1 ? null : interruptRates(cpus, List.of(), 0.0);
        return byKey(detectors.onNic(rates, sample, irq, null));
    }

    private static InterruptRates interruptRates(int cpus, List<IrqLineRate> lines, double softirqShare) {
        List<Integer> ids = java.util.stream.IntStream.range(0, cpus).boxed().toList();
        List<Double> zeros = ids.stream().map(i -> 0.0).toList();
        return new InterruptRates(new RateHeader("gw", "b", T0, T0 + 5_000, 0L, 5L), ids, lines, zeros, zeros, zeros,
                ids.stream().map(i -> softirqShare).toList());
    }

    @Test
    void dropsWithTheRingBelowItsMaximumAskForADoubledRing() {
        // 600 missed and 300 out of buffer in 30 s: 30 a second
        Finding f = judgeNic(rates(ena(1_000, 50), ena(1_600, 350)), null, 0).get("NIC_RX_DROPS|ens5");
        assertTrue(f.bad(), f.toString());
        assertEquals(30.0, f.metric(), 1e-9);
        assertEquals(20.0, f.evidence().get("rxMissedPerSec"), 1e-9);
        assertEquals(10.0, f.evidence().get("rxNoBufferPerSec"), 1e-9);
        assertEquals(2048.0, f.evidence().get("recommendedRxRing"));
        assertEquals(Severity.CRITICAL, f.severity(), "30/s is 10 times the 1/s threshold and more");
    }

    @Test
    void aRingAtItsMaximumOrQuietCountersOrAResetGiveNoRingFinding() {
        Nic atMax = ena(0, 0);
        atMax.setRxRing(16384);
        Nic atMaxLater = ena(9_000, 0);
        atMaxLater.setRxRing(16384);
        assertFalse(judgeNic(rates(atMax, atMaxLater), null, 0).get("NIC_RX_DROPS|ens5").bad(),
                "at the maximum a larger ring is no remedy");
        assertFalse(judgeNic(rates(ena(100, 0), ena(110, 0)), null, 0).get("NIC_RX_DROPS|ens5").bad(),
                "10 in 30 s is below 1/s");
        NicRates reset = rates(ena(5_000, 0), ena(10, 0));
        assertNull(reset.nics().get(0).rxMissedPerSec(), "a counter that went down is unknown, not 0");
        assertFalse(judgeNic(reset, null, 0).get("NIC_RX_DROPS|ens5").bad());
        Nic veth = nic("n0", "veth");
        assertFalse(judgeNic(rates(veth, veth), null, 0).containsKey("NIC_RX_DROPS|n0"), "veth reports no rings");
    }

    @Test
    void aSingleChannelWhereMoreArePossibleIsFlaggedCombinedOrRxOnly() {
        // virtio-channels.txt: Combined 1 of 1: nothing more to run
        Nic virtio = nic("eth0", "virtio_net");
        virtio.setCombinedChannels(1);
        virtio.setCombinedChannelsMax(1);
        // ice-channels.txt: Combined 256 of 288
        Nic ice = nic("eth1", "ice");
        ice.setCombinedChannels(256);
        ice.setCombinedChannelsMax(288);
        ice.setRxChannels(0);
        ice.setRxChannelsMax(288);
        // ice reduced to one combined channel
        Nic iceOne = nic("eth2", "ice");
        iceOne.setCombinedChannels(1);
        iceOne.setCombinedChannelsMax(288);
        // veth (NicCollectorLabIT): RX 1 of 4, Combined n/a
        Nic veth = nic("n0", "veth");
        veth.setRxChannels(1);
        veth.setRxChannelsMax(4);
        Map<String, Finding> f = judgeNic(null, sample(1, T0, virtio, ice, iceOne, veth), 8);
        assertFalse(f.get("NIC_SINGLE_CHANNEL|eth0").bad(), "virtio with one channel possible");
        assertFalse(f.get("NIC_SINGLE_CHANNEL|eth1").bad());
        Finding one = f.get("NIC_SINGLE_CHANNEL|eth2");
        assertTrue(one.bad(), one.toString());
        assertEquals(8.0, one.evidence().get("recommendedChannels"), "one per CPU, not 288");
        assertEquals(1.0, one.evidence().get("combined"));
        Finding rxOnly = f.get("NIC_SINGLE_CHANNEL|n0");
        assertTrue(rxOnly.bad(), rxOnly.toString());
        assertEquals(4.0, rxOnly.evidence().get("recommendedChannels"), "at most the device's 4");
        assertEquals(0.0, rxOnly.evidence().get("combined"), "the fallback to rx/tx: Combined is n/a");
        assertEquals(3.0, rxOnly.metric());
        assertFalse(judgeNic(null, sample(1, T0, iceOne), 1).get("NIC_SINGLE_CHANNEL|eth2").bad(),
                "one channel on one CPU is right");
        assertFalse(judgeNic(null, sample(1, T0, iceOne), 0).containsKey("NIC_SINGLE_CHANNEL|eth2"),
                "CPUs unknown: no judgement");
    }

    @Test
    void coalescingIsFlaggedOnlyWithAdaptiveOffAndALongDelay() {
        // adaptive-off-coalesce.txt: rx-usecs 20, adaptive off
        Nic off20 = nic("eth0", "ixgbe");
        off20.setRxUsecs(20);
        off20.setRxFrames(5);
        off20.setAdaptiveRx(false);
        // adaptive-on-coalesce.txt: rx-usecs 50, adaptive on
        Nic on50 = nic("eth2", "i40e");
        on50.setRxUsecs(50);
        on50.setAdaptiveRx(true);
        // adaptive-on with a long delay: the driver lowers it for sparse traffic
        Nic on500 = nic("eth3", "i40e");
        on500.setRxUsecs(500);
        on500.setAdaptiveRx(true);
        Nic off250 = nic("eth4", "ixgbe");
        off250.setRxUsecs(250);
        off250.setAdaptiveRx(false);
        Nic veth = nic("n0", "veth");
        Map<String, Finding> f = judgeNic(null, sample(1, T0, off20, on50, on500, off250, veth), 0);
        assertFalse(f.get("NIC_COALESCING|eth0").bad());
        assertFalse(f.get("NIC_COALESCING|eth2").bad());
        assertFalse(f.get("NIC_COALESCING|eth3").bad(), "adaptive-rx on");
        Finding bad = f.get("NIC_COALESCING|eth4");
        assertTrue(bad.bad(), bad.toString());
        assertEquals(250.0, bad.metric());
        assertEquals(100.0, bad.evidence().get("recommendedRxUsecs"));
        assertFalse(f.containsKey("NIC_COALESCING|n0"), "veth reports no coalescing");
    }

    @Test
    void aQueueInterruptingAbove10kOnABusyCpuIsFlaggedAndOnAnIdleOneOrBelowTheBandIsNot() {
        Nic eth0 = nic("eth0", "ixgbe");
        NicSample nics = sample(1, T0, eth0);
        // ixgbe's vector names: eth0-TxRx-0 and eth0-TxRx-1 (IrqDevices), each served by its own CPU
        List<IrqLineRate> lines = List.of(new IrqLineRate("40", List.of("eth0-TxRx-0"), List.of(15_000.0, 0.0)),
                new IrqLineRate("41", List.of("eth0-TxRx-1"), List.of(0.0, 500.0)));
        Map<String, Finding> busy = byKey(detectors.onNic(null, nics, interruptRates(2, lines, 0.4), null));
        Finding q0 = busy.get("NIC_IRQ_RATE|eth0 queue 0");
        assertTrue(q0.bad(), busy.toString());
        assertEquals(15_000.0, q0.metric());
        assertEquals(Severity.WARNING, q0.severity(), "si 40% is busy, not saturated");
        Finding q1 = busy.get("NIC_IRQ_RATE|eth0 queue 1");
        assertFalse(q1.bad(), "500/s is below the band: NAPI polls, or the queue is quiet");
        assertEquals(1.0, q1.evidence().get("belowBand"));
        Map<String, Finding> idle = byKey(detectors.onNic(null, nics, interruptRates(2, lines, 0.05), null));
        assertFalse(idle.get("NIC_IRQ_RATE|eth0 queue 0").bad(), "15,000/s on a CPU with si 5% costs nothing");
        Map<String, Finding> notANic = byKey(detectors.onNic(null, sample(1, T0), interruptRates(2, lines, 0.4), null));
        assertTrue(notANic.keySet().stream().noneMatch(k -> k.startsWith("NIC_IRQ_RATE")),
                "eth0 is not in the NIC sample: the IRQ detectors' matter");
        assertEquals(HotspotType.NIC_IRQ_RATE, q0.type());
    }
}
