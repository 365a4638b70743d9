package io.tunnelvision.streams.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.plan.PlannerSettings;
import io.tunnelvision.rules.plan.RemediationPolicy;
import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.avro.Decision;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.codec.AvroCodec;
import io.tunnelvision.schemas.sign.DecisionSigner;
import io.tunnelvision.schemas.sign.Ed25519Keys;
import io.tunnelvision.schemas.topic.DeadLetterHeaders;
import io.tunnelvision.streams.topology.GatewaySim;
import io.tunnelvision.streams.topology.Harness;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * In approval mode, only a decision the api signed, for a waiting proposal of its host, recent and used once,
 * releases a command. Everything else is dead-lettered with its reason and counted, and the proposal keeps
 * waiting for a valid decision.
 */
class DecisionGateTopologyTest {

    private Harness harness;
    private GatewaySim sim;
    private TuningCommand proposal;

    @BeforeEach
    void givenAProposalWaitingForAnOperator() {
        harness = new Harness(DetectionThresholds.defaults(), PlannerSettings.defaults().withApproval(true));
        proposeTxqueuelen();
    }

    /** Five intervals of tx drops on gw-1's tun0 open a hotspot; its command waits for an operator. */
    private void proposeTxqueuelen() {
        sim = new GatewaySim("gw-1", 4);
        harness.txDropsOnTun0(sim, 1000, 5);
        proposal = harness.proposals.readValue();
    }

    @AfterEach
    void close() {
        harness.close();
    }

    private void send(CommandDecision decision) {
        harness.pipe(decision.getHostId(), decision, sim.timeMs());
    }

    private CommandDecision approval() {
        return harness.decision(proposal, Decision.APPROVE, "alice");
    }

    /** The refused decision is dead-lettered with where it came from and why; the proposal still waits. */
    private void assertRefused(String reason) {
        assertTrue(harness.commands.isEmpty(), "no command");
        TestRecord<byte[], byte[]> dead = harness.deadLetters.readRecord();
        assertEquals(harness.topics.commandDecisions.name(), header(dead, DeadLetterHeaders.SOURCE_TOPIC));
        assertTrue(header(dead, DeadLetterHeaders.ERROR).startsWith("DecisionRefused: " + reason + ": "),
                header(dead, DeadLetterHeaders.ERROR));
        assertEquals(proposal.getCommandId(),
                AvroCodec.of(CommandDecision.class).decode(dead.value()).getCommandId(), "the record as it came");
        assertEquals(1.0, harness.refusedDecisions(reason), "counted under " + reason);
        assertTrue(harness.deadLetters.isEmpty());

        send(approval());
        assertEquals(proposal.getCommandId(), harness.commands.readValue().getCommandId(),
                "a valid decision still releases the proposal afterwards");
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Test
    void aDecisionSignedByAnotherKeyNeverYieldsACommand() {
        send(DecisionSigner.of(Ed25519Keys.generate()).sign(CommandDecision.newBuilder(approval()).build()));

        assertRefused("unknown_key");
    }

    @Test
    void anUnsignedDecisionAsAnyBrokerClientCouldWriteItIsRefused() {
        send(CommandDecision.newBuilder(approval()).setKeyId(null).setSignature(null).build());

        assertRefused("unsigned");
    }

    @Test
    void aDecisionWhoseOperatorWasRewrittenNoLongerVerifies() {
        send(CommandDecision.newBuilder(approval()).setOperator("admin").build());

        assertRefused("bad_signature");
    }

    @Test
    void aDecisionThatWaitedLongerThanItsMaxAgeIsRefused() {
        CommandDecision stale = approval();
        harness.advanceWallClock(Harness.DECISION_MAX_AGE.plusMinutes(1));

        send(stale);

        assertRefused("too_old");
    }

    @Test
    void aDecisionDatedAheadOfTheGatesClockIsRefused() {
        send(DecisionSigner.of(harness.apiKeys).sign(CommandDecision.newBuilder(approval())
                .setTimeMs(harness.wallClockMs() + Duration.ofMinutes(5).toMillis()).build()));

        assertRefused("from_the_future");
    }

    @Test
    void aDecisionNamingAnotherHostIsRefused() {
        send(DecisionSigner.of(harness.apiKeys).sign(CommandDecision.newBuilder(approval()).setHostId("gw-2")
                .build()));

        assertRefused("other_host");
    }

    @Test
    void aReplayedApprovalReleasesNothingMore() {
        CommandDecision approval = approval();
        send(approval);
        assertEquals(proposal.getCommandId(), harness.commands.readValue().getCommandId());

        send(approval);
        send(approval);

        assertTrue(harness.commands.isEmpty());
        List<TestRecord<byte[], byte[]>> dead = harness.deadLetters.readRecordsToList();
        assertEquals(2, dead.size());
        assertTrue(header(dead.get(0), DeadLetterHeaders.ERROR).startsWith("DecisionRefused: already_decided: "));
        assertEquals(2.0, harness.refusedDecisions("already_decided"));
    }

    @Test
    void aDecisionOnACommandNobodyProposedIsRefused() {
        send(DecisionSigner.of(harness.apiKeys).sign(CommandDecision.newBuilder(approval())
                .setCommandId("tx_drops:gw-1:tun0:1/txqueuelen/tun0/1").build()));

        assertTrue(harness.commands.isEmpty());
        assertTrue(header(harness.deadLetters.readRecord(), DeadLetterHeaders.ERROR)
                .startsWith("DecisionRefused: no_proposal: "));
        assertEquals(1.0, harness.refusedDecisions("no_proposal"));
    }

    @Test
    void aGateWithAFreshStoreSignsAboveEverySequenceTheOldOneIssued() {
        send(approval());
        TuningCommand before = harness.commands.readValue();
        long restartedAt = harness.wallClockMs() + 1;
        KeyPair planner = harness.keys;
        harness.close();

        // a new application id: every store empty, the same planner key, the gate's clock a millisecond on
        harness = new Harness(DetectionThresholds.defaults(), PlannerSettings.defaults().withApproval(true),
                RemediationPolicy.defaults(), restartedAt, planner);
        proposeTxqueuelen();
        send(approval());
        TuningCommand after = harness.commands.readValue();

        assertTrue(after.getSequence() > before.getSequence(), after.getSequence() + " > " + before.getSequence());
    }
}
