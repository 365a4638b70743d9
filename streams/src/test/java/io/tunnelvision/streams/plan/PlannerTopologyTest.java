package io.tunnelvision.streams.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.rules.plan.PlannerSettings;
import io.tunnelvision.schemas.avro.CommandOutcome;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.Decision;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.avro.Verdict;
import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.schemas.sign.SignatureVerdict;
import io.tunnelvision.streams.fleet.CommandSequence;
import io.tunnelvision.streams.topology.GatewaySim;
import io.tunnelvision.streams.topology.Harness;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Planner rules, safety rails and verification through the whole topology, with signed commands. */
class PlannerTopologyTest {

    private Harness harness = new Harness();

    @AfterEach
    void close() {
        harness.close();
    }

    private void use(PlannerSettings settings) {
        harness.close();
        harness = new Harness(DetectionThresholds.defaults(), settings);
    }

    private void use(DetectionThresholds thresholds, PlannerSettings settings) {
        harness.close();
        harness = new Harness(thresholds, settings);
    }

    private GatewaySim tunnelHost(String host, int txQueueLen) {
        GatewaySim sim = new GatewaySim(host, 4);
        harness.pipe(sim, sim.interfaces(GatewaySim.tunnel("tun0", InterfaceKind.TUN, 1400, txQueueLen, "0", "eth0"),
                GatewaySim.physical("eth0", 1500)));
        return sim;
    }

    /** Five intervals of tx drops open the hotspot; its command is sent and the agent applies it. */
    private TuningCommand appliedCommand(GatewaySim sim) {
        txDrops(sim, 5, 40);
        TuningCommand command = harness.commands.readValue();
        harness.pipe(sim.host(), Harness.applied(command, sim.timeMs()), sim.timeMs());
        sim.step();
        return command;
    }

    /** The hosts of the commands sent since the last read. */
    private List<String> sentTo() {
        return harness.commands.readValuesToList().stream().map(TuningCommand::getHostId).toList();
    }

    /** Intervals of tx drops on tun0 with idle CPUs. */
    private void txDrops(GatewaySim sim, int intervals, long dropsPerInterval) {
        for (int i = 0; i < intervals; i++) {
            harness.pipe(sim, sim.interrupts(2000, 0, 0.5, 0.1));
            harness.pipe(sim, sim.link("tun0", dropsPerInterval, 0));
            sim.step();
        }
    }

    @Test
    void txDropsGetOneSignedTxqueuelenStepWithTheCurrentValueToCompareAndSet() {
        GatewaySim sim = tunnelHost("gw-1", 1000);

        txDrops(sim, 6, 40);

        List<TuningCommand> commands = harness.commands.readValuesToList();
        assertEquals(1, commands.size(), "one step per hotspot and cooldown");
        TuningCommand command = commands.get(0);
        assertEquals(TuningAction.TXQUEUELEN, command.getAction());
        assertEquals("tun0", command.getTarget());
        assertEquals("1000", command.getExpectedValue());
        assertEquals("2000", command.getNewValue());
        assertEquals("gw-1", command.getHostId());
        assertTrue(command.getHotspotId().startsWith("tx_drops:gw-1:tun0:"));
        assertEquals(Duration.ofMinutes(5).toMillis(), command.getExpiresAtMs() - command.getIssuedAtMs());
        assertEquals(CommandSequence.next(0, harness.wallClockMs()), command.getSequence(),
                "a fresh gate's first sequence: its wall clock in microseconds");
        assertFalse(command.getDryRun());
        assertTrue(harness.verifier.isValid(command), "signed with the planner's key");
    }

    @Test
    void aQueueAlreadyAtTheBufferbloatCapGetsNoCommand() {
        GatewaySim sim = tunnelHost("gw-1", 5000);

        txDrops(sim, 6, 40);

        assertTrue(harness.commands.isEmpty());
        assertFalse(harness.hotspots.isEmpty(), "the hotspot is still reported");
    }

    @Test
    void theRpsMaskCoversOnlyTheHostsOnlineCpus() {
        GatewaySim sim = new GatewaySim("gw-2cpu", 2);
        harness.pipe(sim, sim.interfaces(GatewaySim.tunnel("wg0", InterfaceKind.WIREGUARD, 1420, 1000, "0", "eth0"),
                GatewaySim.physical("eth0", 1500)));
        for (int i = 0; i < 5; i++) {
            harness.pipe(sim, sim.kernel(0, 0));
            harness.pipe(sim, sim.interrupts(20_000, 0, 0.97, 0.6));
            sim.step();
        }

        List<TuningCommand> rps = harness.commands.readValuesToList().stream()
                .filter(c -> c.getAction() == TuningAction.RPS_CPUS).toList();
        assertEquals(1, rps.size(), rps.toString());
        assertEquals("wg0/rx-0", rps.get(0).getTarget());
        assertEquals("3", rps.get(0).getNewValue(), "2 CPUs: mask 3, never f");
        assertEquals("0", rps.get(0).getExpectedValue());
    }

    @Test
    void anMtuMismatchGetsTheUnderlayMtuMinusTheTunnelsOverhead() {
        GatewaySim sim = new GatewaySim("gw-1", 4);
        harness.pipe(sim, sim.interfaces(GatewaySim.tunnel("vx0", InterfaceKind.VXLAN, 1500, 1000, "f", "eth0"),
                GatewaySim.physical("eth0", 1500)));
        for (int i = 0; i < 5; i++) {
            harness.pipe(sim, sim.kernel(0, 500));
            sim.step();
        }

        TuningCommand mtu = harness.commands.readValue();
        assertEquals(TuningAction.MTU, mtu.getAction());
        assertEquals("1500", mtu.getExpectedValue());
        assertEquals("1430", mtu.getNewValue(), "VXLAN, family unknown: 50 + 20 for a possible IPv6 underlay");
    }

    @Test
    void theSameSettingIsNotChangedAgainWithinItsCooldown() {
        use(PlannerSettings.defaults().withCooldown(Duration.ofSeconds(30)));
        GatewaySim sim = tunnelHost("gw-1", 1000);
        txDrops(sim, 5, 40);
        TuningCommand first = harness.commands.readValue();
        harness.pipe("gw-1", Harness.result(first, CommandStatus.REJECTED, sim.timeMs()), sim.timeMs());

        txDrops(sim, 20, 40);
        assertTrue(harness.commands.isEmpty(), "cooling down");

        txDrops(sim, 15, 40);
        TuningCommand second = harness.commands.readValue();
        assertEquals("1000", second.getExpectedValue());
        assertTrue(second.getSequence() > first.getSequence());
    }

    @Test
    void whenTheFleetLimitOfUnverifiedChangesIsReachedTheNextCommandWaitsForAVerdict() {
        use(PlannerSettings.defaults().withMaxUnverified(1));
        GatewaySim a = tunnelHost("gw-a", 1000);
        GatewaySim b = tunnelHost("gw-b", 1000);
        txDrops(a, 5, 40);
        txDrops(b, 5, 40);

        List<TuningCommand> sent = harness.commands.readValuesToList();
        assertEquals(1, sent.size(), "gw-b's command is held");
        assertEquals("gw-a", sent.get(0).getHostId());

        harness.pipe("gw-a", Harness.applied(sent.get(0), a.timeMs()), a.timeMs());
        a.step();
        txDrops(a, 6, 0);

        CommandOutcome outcome = harness.outcomes.readValue();
        assertEquals(Verdict.VERIFIED, outcome.getOutcome());
        List<TuningCommand> released = harness.commands.readValuesToList();
        assertEquals(1, released.size(), "the verdict freed the slot");
        assertEquals("gw-b", released.get(0).getHostId());
    }

    @Test
    void aFleetWideHotspotGoesToCanaryHostsFirstAndToTheRestOnlyAfterTheyVerified() {
        use(DetectionThresholds.defaults().withOverrides("fleetMinHosts=2,fleetShare=0.3"),
                PlannerSettings.defaults().withCanaryHosts(1));
        List<GatewaySim> fleet = List.of(tunnelHost("gw-1", 1000), tunnelHost("gw-2", 1000), tunnelHost("gw-3", 1000),
                tunnelHost("gw-4", 1000));
        for (GatewaySim sim : fleet) {
            txDrops(sim, 5, 40);
        }

        List<TuningCommand> first = harness.commands.readValuesToList();
        assertEquals(List.of("gw-1"), first.stream().map(TuningCommand::getHostId).toList(),
                "gw-1 went before the fleet hotspot opened and became its canary; the others wait");
        assertTrue(harness.hotspots.readValuesToList().stream().anyMatch(h -> h.getHostId() == null),
                "a fleet hotspot was published");

        GatewaySim canary = fleet.get(0);
        harness.pipe("gw-1", Harness.applied(first.get(0), canary.timeMs()), canary.timeMs());
        canary.step();
        txDrops(canary, 6, 0);

        assertEquals(Verdict.VERIFIED, harness.outcomes.readValue().getOutcome());
        assertEquals(List.of("gw-2", "gw-3", "gw-4"),
                harness.commands.readValuesToList().stream().map(TuningCommand::getHostId).sorted().toList());
    }

    @Test
    void aRolledBackCanaryStopsTheRestOfTheFleet() {
        use(DetectionThresholds.defaults().withOverrides("fleetMinHosts=2,fleetShare=0.3"),
                PlannerSettings.defaults().withCanaryHosts(1));
        List<GatewaySim> fleet = List.of(tunnelHost("gw-1", 1000), tunnelHost("gw-2", 1000), tunnelHost("gw-3", 1000));
        for (GatewaySim sim : fleet) {
            txDrops(sim, 5, 40);
        }
        TuningCommand canaryCommand = harness.commands.readValue();
        GatewaySim canary = fleet.get(0);
        harness.pipe("gw-1", Harness.applied(canaryCommand, canary.timeMs()), canary.timeMs());
        canary.step();
        txDrops(canary, 6, 40);

        List<TuningCommand> after = harness.commands.readValuesToList();
        assertEquals(1, after.size(), "only the rollback: " + after);
        assertEquals(canaryCommand.getCommandId(), after.get(0).getRollbackOf());
    }

    @Test
    void inApprovalModeCommandsAreProposedUnsignedAndSignedAndSentOnlyWhenApproved() {
        use(PlannerSettings.defaults().withApproval(true));
        GatewaySim sim = tunnelHost("gw-1", 1000);
        txDrops(sim, 5, 40);

        assertTrue(harness.commands.isEmpty());
        TuningCommand proposal = harness.proposals.readValue();
        assertEquals(SignatureVerdict.UNSIGNED, harness.verifier.verify(proposal), "a proposal can never run");
        assertEquals(0, proposal.getSequence());

        harness.pipe("gw-1", harness.decision(proposal, Decision.APPROVE, "alice"), sim.timeMs() + 60_000);

        TuningCommand sent = harness.commands.readValue();
        assertEquals(proposal.getCommandId(), sent.getCommandId());
        assertEquals(sim.timeMs() + 60_000, sent.getIssuedAtMs(), "the approved command's clock starts at approval");
        assertEquals(CommandSequence.next(0, harness.wallClockMs()), sent.getSequence());
        assertTrue(harness.verifier.isValid(sent));
        assertTrue(harness.deadLetters.isEmpty());
    }

    @Test
    void aRejectedProposalIsNeverSent() {
        use(PlannerSettings.defaults().withApproval(true));
        GatewaySim sim = tunnelHost("gw-1", 1000);
        txDrops(sim, 5, 40);
        TuningCommand proposal = harness.proposals.readValue();

        harness.pipe("gw-1", harness.decision(proposal, Decision.REJECT, "bob"), sim.timeMs());
        harness.pipe("gw-1", harness.decision(proposal, Decision.APPROVE, "alice"), sim.timeMs());

        assertTrue(harness.commands.isEmpty(), "a later approval of a rejected proposal changes nothing");
        assertEquals(1.0, harness.refusedDecisions("already_decided"));
    }

    @Test
    void withThePlannerOffHotspotsAreOnlyReported() {
        use(PlannerSettings.defaults().withEnabled(false));
        GatewaySim sim = tunnelHost("gw-1", 1000);
        txDrops(sim, 6, 40);

        assertTrue(harness.commands.isEmpty());
        assertTrue(harness.proposals.isEmpty());
        assertFalse(harness.hotspots.isEmpty());
    }

    @Test
    void inDryRunCommandsAreFlaggedSoAgentsOnlyReport() {
        use(PlannerSettings.defaults().withDryRun(true));
        GatewaySim sim = tunnelHost("gw-1", 1000);
        txDrops(sim, 5, 40);

        assertTrue(harness.commands.readValue().getDryRun());
    }

    @Test
    void aChangeThatDidNotHelpIsRolledBackToTheValueBefore() {
        GatewaySim sim = tunnelHost("gw-1", 1000);
        TuningCommand command = appliedCommand(sim);

        txDrops(sim, 6, 45);

        CommandOutcome outcome = harness.outcomes.readValue();
        assertEquals(Verdict.ROLLED_BACK, outcome.getOutcome());
        assertEquals(40.0, outcome.getBefore(), 0.01);
        assertEquals(45.0, outcome.getAfter(), 0.01);
        TuningCommand rollback = harness.commands.readValue();
        assertEquals(command.getCommandId(), rollback.getRollbackOf());
        assertEquals(outcome.getRollbackCommandId(), rollback.getCommandId());
        assertEquals("1000", rollback.getNewValue(), "back to the value before");
        assertEquals("2000", rollback.getExpectedValue(), "only if it still is the value the change set");
        assertTrue(harness.verifier.isValid(rollback));
        assertTrue(harness.commands.isEmpty(), "no new attempt at the same setting right after a rollback");
    }

    @Test
    void aChangeThatHelpedIsVerified() {
        GatewaySim sim = tunnelHost("gw-1", 1000);
        TuningCommand command = appliedCommand(sim);

        txDrops(sim, 6, 2);

        CommandOutcome outcome = harness.outcomes.readValue();
        assertEquals(Verdict.VERIFIED, outcome.getOutcome());
        assertNull(outcome.getRollbackCommandId());
        assertTrue(harness.commands.isEmpty());
    }

    @Test
    void aRollbacksOwnAppliedResultRollsNothingBackAndRecordsNoSecondOutcome() {
        use(PlannerSettings.defaults().withMaxUnverified(1));
        GatewaySim sim = tunnelHost("gw-1", 1000);
        TuningCommand command = appliedCommand(sim);
        txDrops(sim, 6, 45);
        CommandOutcome rolledBack = harness.outcomes.readValue();
        TuningCommand rollback = harness.commands.readValue();
        assertEquals(Verdict.ROLLED_BACK, rolledBack.getOutcome());

        harness.pipe("gw-1", Harness.applied(rollback, sim.timeMs()), sim.timeMs());
        sim.step();
        txDrops(sim, 12, 45);

        assertTrue(harness.outcomes.isEmpty(), "the outcome was recorded once, when the change was judged");
        assertTrue(harness.commands.isEmpty(), "no rollback of the rollback, no new step within the backoff");
        GatewaySim other = tunnelHost("gw-2", 1000);
        txDrops(other, 5, 40);
        assertEquals(List.of("gw-2"), sentTo(),
                "neither the change nor its rollback holds the only unverified slot");
    }

    @Test
    void aCommandThatNeverGetsAResultTimesOutWithAnOutcomeAndFreesItsSlot() {
        use(PlannerSettings.defaults().withMaxUnverified(1));
        GatewaySim a = tunnelHost("gw-a", 1000);
        GatewaySim b = tunnelHost("gw-b", 1000);
        txDrops(a, 5, 40);
        txDrops(b, 5, 40);
        TuningCommand lost = harness.commands.readValue();
        assertEquals("gw-a", lost.getHostId());
        assertTrue(harness.commands.isEmpty(), "gw-b waits for the only slot");

        // gw-a's agent never answers; its samples keep coming past the verify timeout (30 min)
        later(a, Duration.ofMinutes(31));
        txDrops(a, 2, 40);

        CommandOutcome outcome = harness.outcomes.readValue();
        assertEquals(lost.getCommandId(), outcome.getCommandId());
        assertEquals(Verdict.INCONCLUSIVE, outcome.getOutcome());
        assertNull(outcome.getRollbackCommandId());
        assertTrue(harness.outcomes.isEmpty());
        // the freed slot takes gw-a's next attempt (its cooldown is over and nothing was applied); gw-b's held
        // command expired meanwhile (5 min TTL)
        List<TuningCommand> next = harness.commands.readValuesToList();
        assertEquals(1, next.size(), next.toString());
        assertEquals("gw-a", next.get(0).getHostId());
        assertEquals("1000", next.get(0).getExpectedValue(), "the lost change never happened");
        assertTrue(next.get(0).getSequence() > lost.getSequence());
    }

    @Test
    void aSilentHostsUnansweredCommandStopsHoldingTheSlotAfterTheTimeout() {
        use(PlannerSettings.defaults().withMaxUnverified(1));
        GatewaySim a = tunnelHost("gw-a", 1000);
        GatewaySim b = tunnelHost("gw-b", 1000);
        txDrops(a, 5, 40);
        assertEquals("gw-a", harness.commands.readValue().getHostId());

        // gw-a goes silent: no result, no samples, so no outcome; gw-b's hotspot opens 31 minutes later
        later(b, Duration.ofMinutes(31));
        txDrops(b, 5, 40);

        assertEquals(List.of("gw-b"), sentTo(), "the gate's own verify timeout frees the slot");
    }

    @Test
    void anAppliedChangeWhoseMetricStopsComingIsInconclusiveAfterTheTimeoutAndFreesItsSlot() {
        use(PlannerSettings.defaults().withMaxUnverified(1));
        GatewaySim sim = tunnelHost("gw-1", 1000);
        TuningCommand command = appliedCommand(sim);
        txDrops(sim, 2, 10);
        // two of the five intervals after the change, then tun0's link samples stop; interrupts keep coming
        for (int i = 0; i < 3; i++) {
            harness.pipe(sim, sim.interrupts(2000, 0, 0.5, 0.1));
            sim.step();
        }
        assertTrue(harness.outcomes.isEmpty(), "two intervals are not enough for a verdict");

        later(sim, Duration.ofMinutes(30));
        for (int i = 0; i < 2; i++) {
            harness.pipe(sim, sim.interrupts(2000, 0, 0.5, 0.1));
            sim.step();
        }

        CommandOutcome outcome = harness.outcomes.readValue();
        assertEquals(command.getCommandId(), outcome.getCommandId());
        assertEquals(Verdict.INCONCLUSIVE, outcome.getOutcome());
        assertEquals(40.0, outcome.getBefore(), 0.01);
        assertEquals(10.0, outcome.getAfter(), 0.01, "the mean of the intervals that did come");
        assertNull(outcome.getRollbackCommandId());
        assertTrue(harness.outcomes.isEmpty(), "recorded once");
        assertTrue(harness.commands.isEmpty(), "an unjudged change is not rolled back");
        GatewaySim other = tunnelHost("gw-2", 1000);
        txDrops(other, 5, 40);
        assertEquals("gw-2", harness.commands.readValue().getHostId(), "the slot is free again");
    }

    /** The next sample comes {@code gap} after the last one (one long interval). */
    private static void later(GatewaySim sim, Duration gap) {
        sim.intervalMs(gap.toMillis());
        sim.step();
        sim.intervalMs(1000);
    }
}
