package io.tunnelvision.schemas.sign;

import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.codec.AvroLimits;
import java.util.Objects;
import java.util.Set;

/**
 * Checks a decision's signature against the api keys the gate trusts. Only the signature is checked here; that
 * the decision names a pending proposal, is recent and is used once is the gate's business. Thread-safe.
 */
public final class DecisionSignatureVerifier {

    private final KeyRing keys;

    public DecisionSignatureVerifier(KeyRing keys) {
        // copying a generated record checks Avro's class trust, which the codec layer sets up
        AvroLimits.install();
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    public Set<String> trustedKeyIds() {
        return keys.trustedKeyIds();
    }

    public SignatureVerdict verify(CommandDecision decision) {
        Objects.requireNonNull(decision, "decision");
        return keys.check(decision.getKeyId(), decision.getSignature(), () -> SignedContent.of(decision));
    }
}
