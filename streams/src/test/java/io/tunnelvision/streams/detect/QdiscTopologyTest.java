package io.tunnelvision.streams.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.plan.PlannerSettings;
import io.tunnelvision.schemas.avro.CommandOutcome;
import io.tunnelvision.schemas.avro.Hotspot;
import io.tunnelvision.schemas.avro.HotspotState;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.Qdisc;
import io.tunnelvision.schemas.avro.QdiscSample;
import io.tunnelvision.schemas.avro.Severity;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.avro.Verdict;
import io.tunnelvision.streams.topology.GatewaySim;
import io.tunnelvision.streams.topology.Harness;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The egress-queue detectors through the whole topology: one QdiscSample every 30 s per host, as the agent
 * publishes them, judged with the host's latest interface configuration. A tun at txqueuelen 0 opens
 * TXQUEUELEN_ZERO, which the planner answers with the txqueuelen step (compare-and-set on 0); a shaper dropping
 * under a tunnel opens QDISC_DROPS and QDISC_BACKLOG, which are reported and never answered with a command (the
 * operator's shaper is never replaced); a standing queue under a pfifo_fast root is answered with fq_codel, judged on
 * the qdisc samples after the switch (the agent reads the qdiscs again right after a command) and rolled back to
 * pfifo_fast when the queue stands longer.
 */
class QdiscTopologyTest {

    private final Harness harness = new Harness(DetectionThresholds.defaults(), PlannerSettings.defaults());
    private final GatewaySim sim = new GatewaySim("gw-q", 2).intervalMs(30_000);

    @AfterEach
    void close() {
        harness.close();
    }

    private static Qdisc root(String dev, String kind, long bytes, long drops, long backlogBytes, long backlogPackets) {
        return new Qdisc(dev, kind, "1:", null, bytes, bytes / 1000, drops, 0L, 0L, backlogBytes, backlogPackets);
    }

    private void pipeQdiscs(Qdisc... qdiscs) {
        harness.pipe(sim, new QdiscSample(sim.header(), new ArrayList<>(List.of(qdiscs)), new ArrayList<>()));
        sim.step();
    }

    private void pipeInterfaces(int tunTxQueueLen) {
        harness.pipe(sim, sim.interfaces(GatewaySim.tunnel("tun0", InterfaceKind.TUN, 1400, tunTxQueueLen, "0", "eth0"),
                GatewaySim.tunnel("vx0", InterfaceKind.VXLAN, 1450, 1000, "0", "eth0"),
                GatewaySim.physical("eth0", 1500), GatewaySim.physical("eth1", 1500)));
    }

    /** The hotspots of {@code type} published since the last read (reading consumes the output topic). */
    private List<Hotspot> hotspots(HotspotType type) {
        return hotspots(harness.hotspots.readValuesToList(), type);
    }

    private static List<Hotspot> hotspots(List<Hotspot> all, HotspotType type) {
        return all.stream().filter(h -> h.getType() == type).toList();
    }

    @Test
    void aTunAtTxqueuelenZeroOpensACriticalHotspotAnsweredByATxqueuelenStepThatClosesIt() {
        pipeInterfaces(0);
        for (int i = 0; i <= 3; i++) {
            pipeQdiscs(root("tun0", "pfifo_fast", 0, 0, 0, 0), root("eth0", "pfifo_fast", 1_000_000L * i, 0, 0, 0));
        }
        List<Hotspot> opened = hotspots(HotspotType.TXQUEUELEN_ZERO);
        assertEquals(1, opened.size(), "three bad intervals of 30 s (openAfter=3): " + opened);
        Hotspot hotspot = opened.get(0);
        assertEquals(HotspotState.OPEN, hotspot.getState());
        assertEquals(Severity.CRITICAL, hotspot.getSeverity());
        assertEquals("tun0", hotspot.getTarget());
        assertEquals(0.0, hotspot.getEvidence().get("txQueueLen"));

        List<TuningCommand> commands = harness.commands.readValuesToList();
        assertEquals(1, commands.size(), commands.toString());
        TuningCommand command = commands.get(0);
        assertEquals(TuningAction.TXQUEUELEN, command.getAction());
        assertEquals("tun0", command.getTarget());
        assertEquals("0", command.getExpectedValue(), "compare-and-set on the txqueuelen the host reported");
        assertEquals("1000", command.getNewValue(), "the ladder's first step");
        assertTrue(command.getHotspotId().startsWith("txqueuelen_zero:gw-q:tun0:"), command.getHotspotId());
        assertTrue(harness.verifier.isValid(command), "signed with the planner's key");

        // the agent applies it; its next round reads the settings and the qdiscs again
        harness.pipe(sim, Harness.applied(command, sim.timeMs()));
        pipeInterfaces(1000);
        for (int i = 4; i <= 12; i++) {
            pipeQdiscs(root("tun0", "pfifo_fast", 0, 0, 0, 0), root("eth0", "pfifo_fast", 1_000_000L * i, 0, 0, 0));
        }
        List<CommandOutcome> outcomes = harness.outcomes.readValuesToList();
        assertEquals(1, outcomes.size(), outcomes.toString());
        assertEquals(Verdict.VERIFIED, outcomes.get(0).getOutcome(), outcomes.toString());
        List<Hotspot> closed = hotspots(HotspotType.TXQUEUELEN_ZERO);
        assertEquals(List.of(HotspotState.CLOSED), closed.stream().map(Hotspot::getState).toList(), closed.toString());
    }

    @Test
    void aShaperDroppingWithAStandingQueueUnderATunnelIsReportedAndNeverCommanded() {
        pipeInterfaces(1000);
        for (int i = 0; i <= 3; i++) {
            // 125,000 B/s sent, 300 drops/s, 30 KB queued at every sample: 240 ms of queue
            pipeQdiscs(root("eth0", "tbf", 3_750_000L * i, 9_000L * i, 30_000, 30),
                    // a non-tunnel interface dropping as much: not this detector's business
                    root("eth1", "tbf", 3_750_000L * i, 9_000L * i, 30_000, 30));
        }
        List<Hotspot> all = harness.hotspots.readValuesToList();
        List<Hotspot> drops = hotspots(all, HotspotType.QDISC_DROPS);
        assertEquals(1, drops.size(), drops.toString());
        assertEquals("eth0", drops.get(0).getTarget());
        assertEquals(300.0, drops.get(0).getEvidence().get("dropsPerSec"), 1e-9);
        List<Hotspot> backlog = hotspots(all, HotspotType.QDISC_BACKLOG);
        assertEquals(1, backlog.size(), backlog.toString());
        assertEquals("eth0", backlog.get(0).getTarget());
        assertEquals(240.0, backlog.get(0).getEvidence().get("backlogDelayMs"), 1e-9);
        assertTrue(harness.commands.isEmpty() && harness.proposals.isEmpty(), "ROOT_QDISC is reported, never sent");
    }

    @Test
    void beforeAnyInterfaceConfigurationNothingIsJudged() {
        for (int i = 0; i <= 5; i++) {
            pipeQdiscs(root("eth0", "tbf", 3_750_000L * i, 9_000L * i, 30_000, 30));
        }
        assertTrue(harness.hotspots.isEmpty(), "which interface is a tunnel's underlay is not known yet");
    }

    /**
     * fq_codel at the root, having dropped 1 packet for every 10 it sent (12.5/s at 125,000 B/s): CoDel's signals to
     * the senders, not an overflow.
     */
    private static Qdisc fqCodel(String dev, long bytes, long backlogBytes, long backlogPackets) {
        return new Qdisc(dev, "fq_codel", "8001:", null, bytes, bytes / 1000, bytes / 10_000, 0L, 0L, backlogBytes,
                backlogPackets);
    }

    /** eth0, the tunnels' underlay, under a pfifo_fast that holds 30 KB at 125,000 B/s: 240 ms, three intervals. */
    private TuningCommand standingQueueAnsweredWithFqCodel() {
        pipeInterfaces(1000);
        for (int i = 0; i <= 3; i++) {
            pipeQdiscs(root("eth0", "pfifo_fast", 3_750_000L * i, 0, 30_000, 30));
        }
        List<Hotspot> backlog = hotspots(HotspotType.QDISC_BACKLOG);
        assertEquals(1, backlog.size(), backlog.toString());
        List<TuningCommand> commands = harness.commands.readValuesToList();
        assertEquals(1, commands.size(), commands.toString());
        TuningCommand command = commands.get(0);
        assertEquals(TuningAction.ROOT_QDISC, command.getAction());
        assertEquals("eth0", command.getTarget());
        assertEquals("pfifo_fast", command.getExpectedValue(), "compare-and-set on the root the qdisc sample shows");
        assertEquals("fq_codel", command.getNewValue());
        assertTrue(harness.verifier.isValid(command));
        return command;
    }

    @Test
    void aStandingQueueUnderPfifoFastIsSwitchedToFqCodelAndVerifiedOnTheQdiscSamplesAfterTheSwitch() {
        TuningCommand command = standingQueueAnsweredWithFqCodel();
        long appliedAt = sim.timeMs() - 20_000;
        harness.pipe(sim.host(), Harness.applied(command, appliedAt), appliedAt);
        // the round after the command: the new root, new counters; then CoDel keeps ~1 KB queued (8 ms)
        for (int i = 0; i <= 5; i++) {
            pipeQdiscs(fqCodel("eth0", 3_750_000L * i, 1_000, 1));
        }
        List<CommandOutcome> outcomes = harness.outcomes.readValuesToList();
        assertEquals(1, outcomes.size(), outcomes.toString());
        CommandOutcome outcome = outcomes.get(0);
        assertEquals(Verdict.VERIFIED, outcome.getOutcome(), outcome.toString());
        assertEquals("QDISC_BACKLOG|eth0", outcome.getMetric(), "judged on the backlog's delay");
        assertEquals(240.0, outcome.getBefore(), 1e-9);
        assertEquals(8.0, outcome.getAfter(), 1e-9);
        assertTrue(hotspots(HotspotType.QDISC_DROPS).isEmpty(), "CoDel's drops are no overflow: no hotspot opened in "
                + "the change's window");
    }

    @Test
    void aSwitchAfterWhichTheQueueStandsLongerIsRolledBackToPfifoFast() {
        TuningCommand command = standingQueueAnsweredWithFqCodel();
        long appliedAt = sim.timeMs() - 20_000;
        harness.pipe(sim.host(), Harness.applied(command, appliedAt), appliedAt);
        for (int i = 0; i <= 5; i++) {
            pipeQdiscs(fqCodel("eth0", 3_750_000L * i, 60_000, 60)); // 480 ms
        }
        List<CommandOutcome> outcomes = harness.outcomes.readValuesToList();
        assertEquals(1, outcomes.size(), outcomes.toString());
        assertEquals(Verdict.ROLLED_BACK, outcomes.get(0).getOutcome(), outcomes.toString());
        List<TuningCommand> rollback = harness.commands.readValuesToList();
        assertEquals(1, rollback.size(), rollback.toString());
        assertEquals(TuningAction.ROOT_QDISC, rollback.get(0).getAction());
        assertEquals("fq_codel", rollback.get(0).getExpectedValue());
        assertEquals("pfifo_fast", rollback.get(0).getNewValue(), "the rollback re-creates the earlier kind");
    }

    @Test
    void aQdiscSampleCollectedBeforeTheSwitchNeverDecidesItsVerdict() {
        TuningCommand command = standingQueueAnsweredWithFqCodel();
        // the switch lands after the next round's qdiscs were read: that sample still shows pfifo_fast
        pipeQdiscs(root("eth0", "pfifo_fast", 3_750_000L * 4, 0, 30_000, 30));
        long appliedAt = sim.timeMs() - 20_000;
        harness.pipe(sim.host(), Harness.applied(command, appliedAt), appliedAt);
        for (int i = 0; i <= 4; i++) {
            pipeQdiscs(fqCodel("eth0", 3_750_000L * i, 1_000, 1));
        }
        assertTrue(harness.outcomes.isEmpty(), "four intervals after the switch, not five: the pfifo_fast sample "
                + "and the first after it span the switch");
        pipeQdiscs(fqCodel("eth0", 3_750_000L * 5, 1_000, 1));
        List<CommandOutcome> outcomes = harness.outcomes.readValuesToList();
        assertEquals(List.of(Verdict.VERIFIED), outcomes.stream().map(CommandOutcome::getOutcome).toList());
    }
}
