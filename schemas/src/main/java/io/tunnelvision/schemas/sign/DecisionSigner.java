package io.tunnelvision.schemas.sign;

import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.codec.AvroLimits;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.KeyPair;

/**
 * Signs operators' decisions with the api's own Ed25519 key, a different key from the planner's: the planner's
 * key makes commands run on gateways, this one only lets the gate release a proposal it already holds.
 * Thread-safe.
 */
public final class DecisionSigner {

    private final Ed25519Signer signer;

    private DecisionSigner(Ed25519Signer signer) {
        // copying a generated record checks Avro's class trust, which the codec layer sets up
        AvroLimits.install();
        this.signer = signer;
    }

    public static DecisionSigner of(KeyPair pair) {
        return new DecisionSigner(Ed25519Signer.of(pair));
    }

    /** A signer from a private key PEM file; the key id is derived from the key's public half. */
    public static DecisionSigner fromFile(Path privateKeyFile) {
        return new DecisionSigner(Ed25519Signer.fromFile(privateKeyFile));
    }

    public String keyId() {
        return signer.keyId();
    }

    /**
     * A copy of {@code decision} carrying this signer's key id and a signature over everything else: operator,
     * command id, host, decision, reason and time.
     */
    public CommandDecision sign(CommandDecision decision) {
        CommandDecision withKey = CommandDecision.newBuilder(decision).setKeyId(signer.keyId())
                .setSignature(ByteBuffer.allocate(0)).build();
        withKey.setSignature(ByteBuffer.wrap(signer.sign(SignedContent.of(withKey),
                "the decision on " + decision.getCommandId())));
        return withKey;
    }
}
