package io.tunnelvision.streams.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.plan.PlannerSettings;
import io.tunnelvision.schemas.avro.CommandOutcome;
import io.tunnelvision.schemas.avro.Hotspot;
import io.tunnelvision.schemas.avro.HotspotState;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.Nic;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.Severity;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.avro.Verdict;
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
 *
 * <p>Their remedies close the loop on NIC samples: the agent publishes one right after it applied a command (its
 * settings read again) and then one every 30 s. A change is judged on the intervals that began after it was applied:
 * neither a sample collected before the command nor the first one after it (whose drop rates span the command)
 * counts; five later ones decide (verifyIntervals).
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

    /** Pipes a NIC sample {@code afterMs} after the previous one. */
    private void nicSampleAfter(long afterMs, Nic... nics) {
        sim.intervalMs(afterMs);
        sim.step();
        harness.pipe(sim, nics(nics));
    }

    /** Four NIC samples 30 s apart with eth0 missing 300 packets/s at a ring of 512 of 4096: the hotspot's three. */
    private TuningCommand ringDropsAnsweredWithALargerRing() {
        harness.pipe(sim, nics(ixgbe("eth0", 512, 0)));
        for (int i = 1; i <= 3; i++) {
            nicSampleAfter(30_000, ixgbe("eth0", 512, 9_000L * i));
        }
        List<TuningCommand> commands = harness.commands.readValuesToList();
        assertEquals(1, commands.size(), commands.toString());
        TuningCommand command = commands.get(0);
        assertEquals(TuningAction.RX_RING, command.getAction());
        assertEquals("eth0", command.getTarget());
        assertEquals("512", command.getExpectedValue(), "compare-and-set on the ring the NIC sample shows");
        assertEquals("1024", command.getNewValue(), "doubled, below the device's 4096");
        assertTrue(harness.verifier.isValid(command));
        return command;
    }

    @Test
    void aRingDroppingPacketsIsDoubledAndVerifiedOnlyOnNicSamplesCollectedAfterTheCommand() {
        TuningCommand command = ringDropsAnsweredWithALargerRing();
        long sentAt = sim.timeMs();
        // collected 2 s after the last one, before the command landed, delivered after its result: stale
        nicSampleAfter(2_000, ixgbe("eth0", 512, 27_600L));
        harness.pipe(sim.host(), Harness.applied(command, sentAt + 5_000), sentAt + 5_000);
        // the agent reads the NIC again right after the command: the ring is 1024, the drops stopped
        nicSampleAfter(4_000, ixgbe("eth0", 1024, 27_600L));
        for (int i = 1; i <= 4; i++) {
            nicSampleAfter(30_000, ixgbe("eth0", 1024, 27_600L));
        }
        assertTrue(harness.outcomes.isEmpty(), "four intervals after the command: the stale sample and the first "
                + "one after it (its rates span the command) are not among the five");
        nicSampleAfter(30_000, ixgbe("eth0", 1024, 27_600L));
        List<CommandOutcome> outcomes = harness.outcomes.readValuesToList();
        assertEquals(1, outcomes.size(), outcomes.toString());
        CommandOutcome outcome = outcomes.get(0);
        assertEquals(Verdict.VERIFIED, outcome.getOutcome(), outcome.toString());
        assertEquals("NIC_RX_DROPS|eth0", outcome.getMetric(), "judged on the finding's own metric");
        assertEquals(300.0, outcome.getBefore(), 1e-9);
        assertEquals(0.0, outcome.getAfter(), 1e-9);
        assertTrue(harness.commands.isEmpty(), "no rollback, no next step: the drops are gone");
    }

    @Test
    void aRingAfterWhichTheNicDropsMoreIsRolledBackToTheRingItHad() {
        TuningCommand command = ringDropsAnsweredWithALargerRing();
        long appliedAt = sim.timeMs() + 5_000;
        harness.pipe(sim.host(), Harness.applied(command, appliedAt), appliedAt);
        long missed = 27_000;
        for (int i = 0; i <= 5; i++) {
            missed += i == 0 ? 1_800 : 18_000; // 600/s after the change
            nicSampleAfter(i == 0 ? 6_000 : 30_000, ixgbe("eth0", 1024, missed));
        }
        List<CommandOutcome> outcomes = harness.outcomes.readValuesToList();
        assertEquals(1, outcomes.size(), outcomes.toString());
        assertEquals(Verdict.ROLLED_BACK, outcomes.get(0).getOutcome(), outcomes.toString());
        assertEquals(600.0, outcomes.get(0).getAfter(), 1e-9);
        List<TuningCommand> rollback = harness.commands.readValuesToList();
        assertEquals(1, rollback.size(), rollback.toString());
        assertEquals(TuningAction.RX_RING, rollback.get(0).getAction());
        assertEquals("1024", rollback.get(0).getExpectedValue());
        assertEquals("512", rollback.get(0).getNewValue(), "back to the ring the NIC had");
    }

    @Test
    void moreChannelsOnAVethAreVerifiedWhenTheNicSampleShowsThem() {
        for (int i = 0; i <= 2; i++) {
            if (i > 0) {
                sim.step();
            }
            harness.pipe(sim, sim.interrupts(1_000, 0, 0.5, 0.05));
            harness.pipe(sim, nics(veth("veth0", 1)));
        }
        List<TuningCommand> commands = harness.commands.readValuesToList();
        assertEquals(1, commands.size(), commands.toString());
        TuningCommand command = commands.get(0);
        assertEquals(TuningAction.COMBINED_CHANNELS, command.getAction());
        assertEquals("1", command.getExpectedValue(), "veth: Combined n/a, its RX channels");
        assertEquals("2", command.getNewValue(), "one per CPU of the 2, below the device's 4");
        long appliedAt = sim.timeMs() + 1_000;
        harness.pipe(sim.host(), Harness.applied(command, appliedAt), appliedAt);
        for (int i = 0; i <= 5; i++) {
            nicSampleAfter(i == 0 ? 2_000 : 30_000, veth("veth0", 2));
        }
        List<CommandOutcome> outcomes = harness.outcomes.readValuesToList();
        assertEquals(1, outcomes.size(), outcomes.toString());
        assertEquals(Verdict.VERIFIED, outcomes.get(0).getOutcome(), outcomes.toString());
        assertEquals(List.of(HotspotState.OPEN, HotspotState.CLOSED), hotspots(harness.hotspots.readValuesToList(),
                HotspotType.NIC_SINGLE_CHANNEL).stream().map(Hotspot::getState).toList());
    }

    @Test
    void lowerCoalescingAfterWhichTheNicDropsPacketsIsRolledBackByTheGuard() {
        // the ring is at its maximum: NIC_RX_DROPS has no remedy and never opens, the drops are only a guard
        Nic slow = ixgbe("eth0", 4096, 0);
        slow.setRxUsecs(250);
        slow.setAdaptiveRx(false);
        harness.pipe(sim, nics(slow));
        for (int i = 1; i <= 2; i++) {
            nicSampleAfter(30_000, slow);
        }
        List<TuningCommand> commands = harness.commands.readValuesToList();
        assertEquals(1, commands.size(), commands.toString());
        TuningCommand command = commands.get(0);
        assertEquals(TuningAction.COALESCE_RX_USECS, command.getAction());
        assertEquals("250", command.getExpectedValue());
        assertEquals("100", command.getNewValue(), "the manual's rx-usecs 100");
        long appliedAt = sim.timeMs() + 1_000;
        harness.pipe(sim.host(), Harness.applied(command, appliedAt), appliedAt);
        long missed = 0;
        for (int i = 0; i <= 5; i++) {
            Nic fast = ixgbe("eth0", 4096, missed += i == 0 ? 0 : 15_000); // 500/s
            fast.setRxUsecs(100);
            fast.setAdaptiveRx(false);
            nicSampleAfter(i == 0 ? 2_000 : 30_000, fast);
        }
        List<CommandOutcome> outcomes = harness.outcomes.readValuesToList();
        assertEquals(1, outcomes.size(), outcomes.toString());
        assertEquals(Verdict.ROLLED_BACK, outcomes.get(0).getOutcome(), outcomes.toString());
        assertEquals(100.0, outcomes.get(0).getAfter(), 1e-9, "its own metric, rx-usecs, did fall");
        List<TuningCommand> rollback = harness.commands.readValuesToList();
        assertEquals(1, rollback.size(), rollback.toString());
        assertEquals("250", rollback.get(0).getNewValue());
        assertTrue(rollback.get(0).getReason().contains("nic rx drops got worse"), rollback.get(0).getReason());
    }
}
