package io.tunnelvision.streams.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.plan.PlannerSettings;
import io.tunnelvision.schemas.avro.Decision;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.streams.topology.GatewaySim;
import io.tunnelvision.streams.topology.Harness;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The app's own counts (group tunnelvision-streams), which /metrics serves: what the stages decided, by label. */
class OutputCountersTopologyTest {

    private static final Map<String, String> TX_DROPS_ON_A_HOST = Map.of("scope", "HOST", "hotspot-type", "TX_DROPS");

    private Harness harness = new Harness();

    @AfterEach
    void close() {
        harness.close();
    }

    @Test
    void everySeriesIsThereAtZeroBeforeAnythingHappens() {
        assertEquals(OptionalDouble.of(0), harness.outputCount("hotspots-opened-total", TX_DROPS_ON_A_HOST));
        assertEquals(OptionalDouble.of(0), harness.outputCount("hotspots-closed-total",
                Map.of("scope", "FLEET", "hotspot-type", "SOFTNET_SQUEEZE")));
        assertEquals(OptionalDouble.of(0), harness.outputCount("commands-issued-total",
                Map.of("action", "MTU", "kind", "rollback")));
        assertEquals(OptionalDouble.of(0), harness.outputCount("commands-proposed-total", Map.of("action", "MTU")));
        assertEquals(OptionalDouble.of(0), harness.outputCount("verdicts-total", Map.of("verdict", "VERIFIED")));
    }

    @Test
    void aHotspotItsCommandTheVerdictAndTheRollbackAreEachCountedOnce() {
        GatewaySim sim = tunnelHost("gw-1", 1000);
        txDrops(sim, 5, 40);
        TuningCommand command = harness.commands.readValue();
        harness.pipe(sim.host(), Harness.applied(command, sim.timeMs()), sim.timeMs());
        sim.step();

        txDrops(sim, 6, 45);

        assertEquals(1, count("hotspots-opened-total", TX_DROPS_ON_A_HOST),
                "opened once, however often its evidence is published again");
        assertEquals(1, count("commands-issued-total", Map.of("action", "TXQUEUELEN", "kind", "change")));
        assertEquals(1, count("verdicts-total", Map.of("verdict", "ROLLED_BACK")));
        assertEquals(0, count("verdicts-total", Map.of("verdict", "VERIFIED")));
        assertEquals(1, count("commands-issued-total", Map.of("action", "TXQUEUELEN", "kind", "rollback")));
    }

    @Test
    void aProposalIsCountedAsProposedAndOnlyItsApprovalAsIssued() {
        harness.close();
        harness = new Harness(DetectionThresholds.defaults(), PlannerSettings.defaults().withApproval(true));
        GatewaySim sim = tunnelHost("gw-1", 1000);
        txDrops(sim, 5, 40);

        TuningCommand proposal = harness.proposals.readValue();
        assertEquals(1, count("commands-proposed-total", Map.of("action", "TXQUEUELEN")));
        assertEquals(0, count("commands-issued-total", Map.of("action", "TXQUEUELEN")));

        harness.pipe("gw-1", harness.decision(proposal, Decision.APPROVE, "alice"), sim.timeMs() + 60_000);

        assertEquals(1, count("commands-issued-total", Map.of("action", "TXQUEUELEN", "kind", "change")));
    }

    private double count(String name, Map<String, String> tags) {
        return harness.outputCount(name, tags).orElseThrow(() -> new AssertionError("no series " + name + tags));
    }

    private GatewaySim tunnelHost(String host, int txQueueLen) {
        GatewaySim sim = new GatewaySim(host, 4);
        harness.pipe(sim, sim.interfaces(GatewaySim.tunnel("tun0", InterfaceKind.TUN, 1400, txQueueLen, "0", "eth0"),
                GatewaySim.physical("eth0", 1500)));
        return sim;
    }

    private void txDrops(GatewaySim sim, int intervals, long dropsPerInterval) {
        for (int i = 0; i < intervals; i++) {
            harness.pipe(sim, sim.interrupts(2000, 0, 0.5, 0.1));
            harness.pipe(sim, sim.link("tun0", dropsPerInterval, 0));
            sim.step();
        }
    }
}
