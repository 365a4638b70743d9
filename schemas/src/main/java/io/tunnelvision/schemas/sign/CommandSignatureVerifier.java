package io.tunnelvision.schemas.sign;

import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.codec.AvroLimits;
import java.security.PublicKey;
import java.util.Collection;
import java.util.Objects;
import java.util.Set;

/**
 * Checks a command's signature against the planner keys an agent trusts, found by the command's key id.
 * Thread-safe and immutable. Only the signature is checked here; host, expiry, replay and bounds are the agent's.
 */
public final class CommandSignatureVerifier {

    private final KeyRing keys;

    public CommandSignatureVerifier(Collection<PublicKey> trustedKeys) {
        this(KeyRing.of(trustedKeys));
    }

    public CommandSignatureVerifier(KeyRing keys) {
        // copying a generated record checks Avro's class trust, which the codec layer sets up
        AvroLimits.install();
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    public Set<String> trustedKeyIds() {
        return keys.trustedKeyIds();
    }

    public Set<String> revokedKeyIds() {
        return keys.revokedKeyIds();
    }

    public boolean isValid(TuningCommand command) {
        return verify(command) == SignatureVerdict.VALID;
    }

    public SignatureVerdict verify(TuningCommand command) {
        Objects.requireNonNull(command, "command");
        return keys.check(command.getKeyId(), command.getSignature(), () -> SignedContent.of(command));
    }
}
