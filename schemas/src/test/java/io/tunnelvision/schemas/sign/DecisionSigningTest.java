package io.tunnelvision.schemas.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.avro.Decision;
import io.tunnelvision.schemas.avro.TuningCommand;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The api's decisions are signed by the one mechanism commands use, over every field an operator decides. */
class DecisionSigningTest {

    private static final KeyPair API = Ed25519Keys.generate();
    private static final KeyPair STRANGER = Ed25519Keys.generate();
    private static final DecisionSignatureVerifier VERIFIER = new DecisionSignatureVerifier(
            KeyRing.of(List.of(API.getPublic())));

    static CommandDecision unsignedDecision() {
        return CommandDecision.newBuilder().setCommandId("cmd-1").setHostId("gw-1").setDecision(Decision.APPROVE)
                .setOperator("alice").setReason("looks right").setTimeMs(1_000).build();
    }

    @Test
    void aSignedDecisionVerifiesWithTheApiKey() {
        CommandDecision signed = DecisionSigner.of(API).sign(unsignedDecision());

        assertEquals(Ed25519Keys.keyId(API.getPublic()), signed.getKeyId());
        assertEquals(SignatureVerdict.VALID, VERIFIER.verify(signed));
    }

    @Test
    void changingAnyDecidedFieldBreaksTheSignature() {
        CommandDecision signed = DecisionSigner.of(API).sign(unsignedDecision());
        List<UnaryOperator<CommandDecision.Builder>> edits = List.of(
                b -> b.setCommandId("cmd-2"),
                b -> b.setHostId("gw-2"),
                b -> b.setDecision(Decision.REJECT),
                b -> b.setOperator("mallory"),
                b -> b.setReason("other"),
                b -> b.setReason(null),
                b -> b.setTimeMs(1_001));

        for (UnaryOperator<CommandDecision.Builder> edit : edits) {
            CommandDecision altered = edit.apply(CommandDecision.newBuilder(signed)).build();
            assertEquals(SignatureVerdict.BAD_SIGNATURE, VERIFIER.verify(altered), altered.toString());
        }
    }

    @Test
    void anUnsignedOrStrangersOrRevokedDecisionIsRefusedWithItsOwnVerdict() {
        CommandDecision byStranger = DecisionSigner.of(STRANGER).sign(unsignedDecision());
        CommandDecision byApi = DecisionSigner.of(API).sign(unsignedDecision());
        DecisionSignatureVerifier revoking = new DecisionSignatureVerifier(KeyRing.of(List.of(API.getPublic()),
                Set.of(Ed25519Keys.keyId(API.getPublic()))));

        assertEquals(SignatureVerdict.UNSIGNED, VERIFIER.verify(unsignedDecision()));
        assertEquals(SignatureVerdict.UNKNOWN_KEY, VERIFIER.verify(byStranger));
        assertEquals(SignatureVerdict.MALFORMED,
                VERIFIER.verify(CommandDecision.newBuilder(byApi).setSignature(null).build()));
        assertEquals(SignatureVerdict.REVOKED, revoking.verify(byApi));
    }

    @Test
    void aPlannerSignatureCannotBeMovedOntoADecisionOrTheReverse() {
        // the same key on both sides, so only the signed content can tell the two kinds of record apart
        TuningCommand command = CommandSigner.of(API).sign(CommandSigningTest.unsignedCommand());
        CommandDecision decision = DecisionSigner.of(API).sign(unsignedDecision());
        CommandSignatureVerifier commands = new CommandSignatureVerifier(List.of(API.getPublic()));

        assertEquals(SignatureVerdict.BAD_SIGNATURE, VERIFIER.verify(CommandDecision.newBuilder(decision)
                .setSignature(command.getSignature().duplicate()).build()));
        assertEquals(SignatureVerdict.BAD_SIGNATURE, commands.verify(TuningCommand.newBuilder(command)
                .setSignature(ByteBuffer.wrap(decision.getSignature().array())).build()));
    }
}
