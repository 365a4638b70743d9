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
import io.tunnelvision.schemas.avro.PmtuPath;
import io.tunnelvision.schemas.avro.PmtuSample;
import io.tunnelvision.schemas.avro.PmtuStep;
import io.tunnelvision.schemas.avro.SampleHeader;
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
 * PMTU_BLACKHOLE through the whole topology, with the agent's publishing: every round carries the paths of its
 * latest probing, so after a change the old probing's paths keep coming until the agent has probed again. The
 * sizes are the lab's (PmtuBlackholeLabIT): wg0 at 1420 over a router at 1400 that drops the ICMP, 1328 passes.
 */
class PmtuBlackholeTopologyTest {

    private static final String HOST = "gw-pmtu";
    private static final String PEER = "gw-far";

    private final Harness harness = new Harness(DetectionThresholds.defaults(), PlannerSettings.defaults());
    private final GatewaySim sim = new GatewaySim(HOST, 2);
    private long sequence;

    @AfterEach
    void close() {
        harness.close();
    }

    private void interfaces(int wgMtu) {
        harness.pipe(sim, sim.interfaces(GatewaySim.tunnel("wg0", InterfaceKind.WIREGUARD, wgMtu, 1000, "0", "eth0"),
                GatewaySim.physical("eth0", 1500)));
    }

    /** One round's sample with this probing's path, one second later than the last. */
    private void round(PmtuPath path) {
        harness.pipe(HOST, new PmtuSample(new SampleHeader(HOST, "boot-1", sequence++, sim.timeMs(), "test"),
                path == null ? List.of() : List.of(path)), sim.timeMs());
        sim.step();
    }

    private void rounds(int n, PmtuPath path) {
        for (int i = 0; i < n; i++) {
            round(path);
        }
    }

    /** A ladder's result: every size up to {@code passed} came back, {@code failed} (if any) did not. */
    private static PmtuPath path(int tunnelMtu, int passed, Integer failed, Integer reported) {
        List<PmtuStep> steps = new ArrayList<>(List.of(new PmtuStep(1280, 1, 1), new PmtuStep(passed, 1, 1)));
        if (failed != null) {
            steps.add(new PmtuStep(failed, 2, 0));
        }
        return new PmtuPath(PEER, "wg0", "10.9.0.2:0", tunnelMtu, steps, passed, failed, reported);
    }

    private List<Hotspot> hotspots() {
        return harness.hotspots.readValuesToList().stream().filter(h -> h.getType() == HotspotType.PMTU_BLACKHOLE)
                .toList();
    }

    /** Three rounds of the black hole open the hotspot, which the planner answers with wg0's MTU. */
    private TuningCommand openedAndAnswered() {
        interfaces(1420);
        round(null); // before the first probing: no paths
        rounds(3, path(1420, 1328, 1329, null));
        List<Hotspot> opened = hotspots();
        assertEquals(1, opened.size(), opened.toString());
        assertEquals(HotspotState.OPEN, opened.get(0).getState());
        assertEquals("wg0", opened.get(0).getTarget());
        assertEquals(1320.0, opened.get(0).getEvidence().get("recommendedMtu"));
        List<TuningCommand> commands = harness.commands.readValuesToList();
        assertEquals(1, commands.size(), commands.toString());
        return commands.get(0);
    }

    @Test
    void aBlackHoledPathGetsTheLargestPassingSizeLessTheMarginAsTheTunnelsMtuComparedAndSetOnTheCurrentOne() {
        TuningCommand mtu = openedAndAnswered();

        assertEquals(TuningAction.MTU, mtu.getAction());
        assertEquals("wg0", mtu.getTarget());
        assertEquals("1420", mtu.getExpectedValue(), "compare-and-set on the MTU wg0 has now");
        assertEquals("1320", mtu.getNewValue(), "1328 passed, less the 8-byte margin");
        assertTrue(mtu.getHotspotId().startsWith("pmtu_blackhole:gw-pmtu:wg0:"));
        assertTrue(harness.verifier.isValid(mtu));
    }

    @Test
    void aPathWhoseRoutersReportTheirMtuIsNoBlackHole() {
        interfaces(1420);
        rounds(10, path(1420, 1328, 1329, 1380));

        assertEquals(List.of(), hotspots());
        assertTrue(harness.commands.isEmpty());
    }

    @Test
    void theVerdictWaitsForTheProbingAfterTheChangeAndTheHotspotClosesOnIt() {
        TuningCommand mtu = openedAndAnswered();
        harness.pipe(HOST, Harness.applied(mtu, sim.timeMs()), sim.timeMs());
        sim.step();
        interfaces(1320);

        // the agent publishes the old probing until it has probed again: far more rounds than a verdict needs
        rounds(12, path(1420, 1328, 1329, null));
        assertEquals(List.of(), harness.outcomes.readValuesToList(), "no verdict on the probing before the change");
        assertTrue(harness.commands.isEmpty(), "no second change while the first waits");

        PmtuPath fresh = path(1320, 1320, null, null);
        rounds(4, fresh);
        assertEquals(List.of(), harness.outcomes.readValuesToList(), "four of the five intervals after it");
        round(fresh);
        List<CommandOutcome> outcomes = harness.outcomes.readValuesToList();
        assertEquals(1, outcomes.size(), outcomes.toString());
        assertEquals(Verdict.VERIFIED, outcomes.get(0).getOutcome());
        assertEquals(mtu.getCommandId(), outcomes.get(0).getCommandId());

        List<Hotspot> closed = hotspots().stream().filter(h -> h.getState() == HotspotState.CLOSED).toList();
        assertEquals(1, closed.size(), "five good rounds close it");
        assertTrue(harness.commands.isEmpty(), "no rollback");
    }

    @Test
    void aProbingAtTheNewMtuCountsAfterTheChangeEvenFromARoundThatBeganBeforeTheResult() {
        TuningCommand mtu = openedAndAnswered();
        long roundStart = sim.timeMs();
        // the round began, the command landed while it ran, and its probe saw the new MTU
        harness.pipe(HOST, Harness.applied(mtu, roundStart + 500), roundStart + 500);
        interfaces(1320);
        PmtuPath fresh = path(1320, 1320, null, null);
        rounds(5, fresh);

        List<CommandOutcome> outcomes = harness.outcomes.readValuesToList();
        assertEquals(1, outcomes.size(), outcomes.toString());
        assertEquals(Verdict.VERIFIED, outcomes.get(0).getOutcome());
    }

    @Test
    void aChangeAfterWhichThePathSwallowsMoreIsRolledBackToTheMtuBeforeIt() {
        TuningCommand mtu = openedAndAnswered();
        harness.pipe(HOST, Harness.applied(mtu, sim.timeMs()), sim.timeMs());
        sim.step();
        interfaces(1320);
        rounds(3, path(1420, 1328, 1329, null));

        // the path got worse: at 1320 only 1200 passes, a gap of 120 bytes where there were 92
        rounds(5, path(1320, 1200, 1201, null));

        List<CommandOutcome> outcomes = harness.outcomes.readValuesToList();
        assertEquals(1, outcomes.size(), outcomes.toString());
        assertEquals(Verdict.ROLLED_BACK, outcomes.get(0).getOutcome());
        List<TuningCommand> rollback = harness.commands.readValuesToList();
        assertEquals(1, rollback.size(), rollback.toString());
        assertEquals(TuningAction.MTU, rollback.get(0).getAction());
        assertEquals("wg0", rollback.get(0).getTarget());
        assertEquals("1320", rollback.get(0).getExpectedValue());
        assertEquals("1420", rollback.get(0).getNewValue());
        assertEquals(mtu.getCommandId(), rollback.get(0).getRollbackOf());
    }

    @Test
    void aDuplicateOrOlderSampleIsNotARoundOfTheHotspot() {
        interfaces(1420);
        PmtuPath hole = path(1420, 1328, 1329, null);
        PmtuSample first = new PmtuSample(new SampleHeader(HOST, "boot-1", 1L, sim.timeMs(), "test"), List.of(hole));
        PmtuSample second = new PmtuSample(new SampleHeader(HOST, "boot-1", 2L, sim.timeMs() + 1000, "test"),
                List.of(hole));
        harness.pipe(HOST, first, sim.timeMs());
        harness.pipe(HOST, second, sim.timeMs() + 1000);
        harness.pipe(HOST, second, sim.timeMs() + 2000);
        harness.pipe(HOST, first, sim.timeMs() + 3000);

        assertEquals(List.of(), hotspots(), "two rounds, not four (openAfter=3)");
    }
}
