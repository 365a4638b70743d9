package io.tunnelvision.schemas.sign;

import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.codec.AvroLimits;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Checks a command's signature against a set of trusted Ed25519 public keys, found by the command's key id.
 * Thread-safe and immutable. Only the signature is checked here; host, expiry, replay and bounds are the agent's.
 */
public final class CommandSignatureVerifier {

    /** Why a command was accepted or refused. */
    public enum Verdict {
        VALID,
        /** The key id names no trusted key. */
        UNKNOWN_KEY,
        /** The key is trusted but the signature does not match the content: altered, or signed by another key. */
        BAD_SIGNATURE,
        /** No signature, or one that is not 64 bytes. */
        MALFORMED
    }

    private static final int ED25519_SIGNATURE_BYTES = 64;

    private final Map<String, PublicKey> trusted;

    public CommandSignatureVerifier(Collection<PublicKey> trustedKeys) {
        // copying a generated record checks Avro's class trust, which the codec layer sets up
        AvroLimits.install();
        Map<String, PublicKey> byId = new HashMap<>();
        for (PublicKey key : trustedKeys) {
            byId.put(Ed25519Keys.keyId(key), key);
        }
        this.trusted = Map.copyOf(byId);
    }

    public Set<String> trustedKeyIds() {
        return trusted.keySet();
    }

    public boolean isValid(TuningCommand command) {
        return verify(command) == Verdict.VALID;
    }

    public Verdict verify(TuningCommand command) {
        Objects.requireNonNull(command, "command");
        PublicKey key = command.getKeyId() == null ? null : trusted.get(command.getKeyId());
        if (key == null) {
            return Verdict.UNKNOWN_KEY;
        }
        ByteBuffer signatureBuffer = command.getSignature();
        if (signatureBuffer == null || signatureBuffer.remaining() != ED25519_SIGNATURE_BYTES) {
            return Verdict.MALFORMED;
        }
        byte[] signatureBytes = new byte[signatureBuffer.remaining()];
        signatureBuffer.duplicate().get(signatureBytes);
        try {
            Signature signature = Signature.getInstance(Ed25519Keys.ALGORITHM);
            signature.initVerify(key);
            signature.update(SignedContent.of(command));
            return signature.verify(signatureBytes) ? Verdict.VALID : Verdict.BAD_SIGNATURE;
        } catch (GeneralSecurityException e) {
            return Verdict.BAD_SIGNATURE;
        }
    }
}
