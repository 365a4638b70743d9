package io.tunnelvision.streams.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.avro.Decision;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.sign.DecisionSignatureVerifier;
import io.tunnelvision.schemas.sign.DecisionSigner;
import io.tunnelvision.schemas.sign.Ed25519Keys;
import io.tunnelvision.schemas.sign.KeyRing;
import io.tunnelvision.streams.fleet.DecisionCheck.Reason;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each rule of the check on its own, in the order the gate applies them. */
class DecisionCheckTest {

    private static final long PROPOSED = 1_767_225_600_000L;
    private static final long NOW = PROPOSED + 60_000;
    private static final KeyPair API = Ed25519Keys.generate();
    private static final DecisionCheck CHECK = new DecisionCheck(new DecisionSignatureVerifier(
            KeyRing.of(List.of(API.getPublic()))), Duration.ofMinutes(10));

    private static final TuningCommand PROPOSAL = TuningCommand.newBuilder().setCommandId("cmd-1").setSequence(0)
            .setHostId("gw-1").setIssuedAtMs(PROPOSED).setExpiresAtMs(PROPOSED + 300_000)
            .setAction(TuningAction.TXQUEUELEN).setTarget("tun0").setNewValue("2000").setExpectedValue("1000")
            .setReason("tx drops").setDryRun(false).setKeyId("").setSignature(ByteBuffer.allocate(0)).build();

    private static CommandDecision signed(long timeMs, String host) {
        return DecisionSigner.of(API).sign(CommandDecision.newBuilder().setCommandId("cmd-1").setHostId(host)
                .setDecision(Decision.APPROVE).setOperator("alice").setTimeMs(timeMs).build());
    }

    private static Reason refusal(CommandDecision decision, TuningCommand proposal, Long decidedAt, long now) {
        Optional<DecisionCheck.Refusal> refusal = CHECK.check(decision, proposal, decidedAt, now);
        assertTrue(refusal.isPresent(), "expected a refusal");
        assertTrue(!refusal.get().detail().isBlank());
        return refusal.get().reason();
    }

    @Test
    void aSignedRecentDecisionOnAWaitingProposalPasses() {
        assertEquals(Optional.empty(), CHECK.check(signed(NOW - 1_000, "gw-1"), PROPOSAL, null, NOW));
    }

    @Test
    void theSignatureIsCheckedFirstSoNothingElseOfAForgeryIsBelieved() {
        CommandDecision forged = CommandDecision.newBuilder(signed(NOW, "gw-1")).setDecision(Decision.REJECT).build();

        assertEquals(Reason.BAD_SIGNATURE, refusal(forged, null, 5L, NOW));
        assertEquals(Reason.REVOKED, new DecisionCheck(new DecisionSignatureVerifier(KeyRing.of(
                List.of(API.getPublic()), Set.of(Ed25519Keys.keyId(API.getPublic())))), Duration.ofMinutes(10))
                .check(signed(NOW, "gw-1"), PROPOSAL, null, NOW).orElseThrow().reason());
        assertEquals(Reason.UNKNOWN_KEY, DecisionCheck.refusingAll().check(signed(NOW, "gw-1"), PROPOSAL, null, NOW)
                .orElseThrow().reason());
    }

    @Test
    void aCommandIdDecidedBeforeIsNotDecidedAgain() {
        assertEquals(Reason.ALREADY_DECIDED, refusal(signed(NOW, "gw-1"), PROPOSAL, NOW - 5_000, NOW));
    }

    @Test
    void withoutAWaitingProposalOrForAnotherHostNothingIsDecided() {
        assertEquals(Reason.NO_PROPOSAL, refusal(signed(NOW, "gw-1"), null, null, NOW));
        assertEquals(Reason.OTHER_HOST, refusal(signed(NOW, "gw-2"), PROPOSAL, null, NOW));
    }

    @Test
    void aDecisionMadeBeforeTheProposalExistedIsRefusedBeyondTheSkew() {
        long skew = DecisionCheck.CLOCK_SKEW.toMillis();

        assertEquals(Optional.empty(), CHECK.check(signed(PROPOSED - skew, "gw-1"), PROPOSAL, null, NOW));
        assertEquals(Reason.BEFORE_PROPOSAL, refusal(signed(PROPOSED - skew - 1, "gw-1"), PROPOSAL, null, NOW));
    }

    @Test
    void theAgeIsMeasuredOnTheGatesClockWithinMaxAgeAndSkew() {
        long maxAge = Duration.ofMinutes(10).toMillis();
        long skew = DecisionCheck.CLOCK_SKEW.toMillis();
        long later = PROPOSED + maxAge + 120_000;

        assertEquals(Optional.empty(), CHECK.check(signed(later - maxAge, "gw-1"), PROPOSAL, null, later));
        assertEquals(Reason.TOO_OLD, refusal(signed(later - maxAge - 1, "gw-1"), PROPOSAL, null, later));
        assertEquals(Optional.empty(), CHECK.check(signed(NOW + skew, "gw-1"), PROPOSAL, null, NOW));
        assertEquals(Reason.FROM_THE_FUTURE, refusal(signed(NOW + skew + 1, "gw-1"), PROPOSAL, null, NOW));
    }
}
