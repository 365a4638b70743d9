package io.tunnelvision.schemas.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.codec.AvroCodec;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandSigningTest {

    private static final KeyPair PLANNER = Ed25519Keys.generate();
    private static final KeyPair STRANGER = Ed25519Keys.generate();

    static TuningCommand unsignedCommand() {
        return TuningCommand.newBuilder()
                .setCommandId("cmd-1").setSequence(7).setHostId("gw-1")
                .setIssuedAtMs(1_000).setExpiresAtMs(301_000)
                .setAction(TuningAction.TXQUEUELEN).setTarget("tun0")
                .setNewValue("2000").setExpectedValue("1000")
                .setHotspotId("tx_drops:gw-1:tun0:1000").setReason("tx drops while CPU idle")
                .setDryRun(false).setKeyId("").setSignature(ByteBuffer.allocate(0)).build();
    }

    @Test
    void aSignedCommandVerifiesWithTheTrustedKey() {
        TuningCommand signed = CommandSigner.of(PLANNER).sign(unsignedCommand());

        CommandSignatureVerifier verifier = new CommandSignatureVerifier(List.of(PLANNER.getPublic()));

        assertEquals(SignatureVerdict.VALID, verifier.verify(signed));
        assertEquals(Ed25519Keys.keyId(PLANNER.getPublic()), signed.getKeyId());
        assertEquals(64, signed.getSignature().remaining());
    }

    @Test
    void theSignatureSurvivesTheWireBecauseItCoversTheSingleObjectEncoding() {
        AvroCodec<TuningCommand> codec = AvroCodec.of(TuningCommand.class);
        TuningCommand signed = CommandSigner.of(PLANNER).sign(unsignedCommand());

        TuningCommand received = codec.decode(codec.encode(signed));

        assertTrue(new CommandSignatureVerifier(List.of(PLANNER.getPublic())).isValid(received));
    }

    @Test
    void changingAnyFieldAfterSigningBreaksTheSignature() {
        TuningCommand signed = CommandSigner.of(PLANNER).sign(unsignedCommand());
        CommandSignatureVerifier verifier = new CommandSignatureVerifier(List.of(PLANNER.getPublic()));

        List<TuningCommand> tampered = List.of(
                TuningCommand.newBuilder(signed).setNewValue("50000").build(),
                TuningCommand.newBuilder(signed).setHostId("gw-2").build(),
                TuningCommand.newBuilder(signed).setExpiresAtMs(signed.getExpiresAtMs() + 1).build(),
                TuningCommand.newBuilder(signed).setSequence(signed.getSequence() + 1).build(),
                TuningCommand.newBuilder(signed).setDryRun(true).build());

        for (TuningCommand command : tampered) {
            assertEquals(SignatureVerdict.BAD_SIGNATURE, verifier.verify(command), command.toString());
        }
    }

    @Test
    void aCommandSignedByAnUntrustedKeyIsRefusedAsUnknownKey() {
        TuningCommand signed = CommandSigner.of(STRANGER).sign(unsignedCommand());

        assertEquals(SignatureVerdict.UNKNOWN_KEY, new CommandSignatureVerifier(List.of(PLANNER.getPublic())).verify(signed));
    }

    @Test
    void aStrangerClaimingThePlannersKeyIdFailsTheSignature() {
        TuningCommand forged = CommandSigner.of(STRANGER).sign(unsignedCommand());
        forged = new CommandSigner(STRANGER.getPrivate(), Ed25519Keys.keyId(PLANNER.getPublic())).sign(forged);

        assertEquals(SignatureVerdict.BAD_SIGNATURE,
                new CommandSignatureVerifier(List.of(PLANNER.getPublic())).verify(forged));
    }

    @Test
    void aMissingOrTruncatedSignatureIsMalformed() {
        TuningCommand signed = CommandSigner.of(PLANNER).sign(unsignedCommand());
        CommandSignatureVerifier verifier = new CommandSignatureVerifier(List.of(PLANNER.getPublic()));

        assertEquals(SignatureVerdict.MALFORMED,
                verifier.verify(TuningCommand.newBuilder(signed).setSignature(ByteBuffer.allocate(0)).build()));
        assertEquals(SignatureVerdict.MALFORMED,
                verifier.verify(TuningCommand.newBuilder(signed).setSignature(ByteBuffer.allocate(63)).build()));
    }

    @Test
    void severalTrustedKeysLetKeysRotate() {
        CommandSignatureVerifier verifier =
                new CommandSignatureVerifier(List.of(PLANNER.getPublic(), STRANGER.getPublic()));

        assertTrue(verifier.isValid(CommandSigner.of(PLANNER).sign(unsignedCommand())));
        assertTrue(verifier.isValid(CommandSigner.of(STRANGER).sign(unsignedCommand())));
        assertEquals(2, verifier.trustedKeyIds().size());
    }

    @Test
    void signingIsDeterministicSoAReplayedCommandCarriesTheSameBytes() {
        CommandSigner signer = CommandSigner.of(PLANNER);

        assertEquals(signer.sign(unsignedCommand()).getSignature(), signer.sign(unsignedCommand()).getSignature());
        assertNotEquals(signer.sign(unsignedCommand()).getSignature(),
                signer.sign(TuningCommand.newBuilder(unsignedCommand()).setSequence(8).build()).getSignature());
    }
}
