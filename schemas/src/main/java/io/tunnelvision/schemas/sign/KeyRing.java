package io.tunnelvision.schemas.sign;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The public keys whose signatures a reader trusts, by key id, and the key ids it has revoked. Several keys are
 * trusted at once so that a key can be rotated without a gap; a revoked id is refused even while its public key
 * is still in the ring. Immutable and thread-safe.
 */
public final class KeyRing {

    private static final int ED25519_SIGNATURE_BYTES = 64;

    private final Map<String, PublicKey> trusted;
    private final Set<String> revoked;

    private KeyRing(Map<String, PublicKey> trusted, Set<String> revoked) {
        this.trusted = Map.copyOf(trusted);
        this.revoked = Set.copyOf(revoked);
    }

    public static KeyRing of(Collection<PublicKey> keys) {
        return of(keys, Set.of());
    }

    /** @param revokedKeyIds key ids (16 hex digits) refused whatever they signed */
    public static KeyRing of(Collection<PublicKey> keys, Set<String> revokedKeyIds) {
        Map<String, PublicKey> byId = new HashMap<>();
        for (PublicKey key : keys) {
            byId.put(Ed25519Keys.keyId(key), key);
        }
        return new KeyRing(byId, revokedKeyIds);
    }

    public static KeyRing empty() {
        return new KeyRing(Map.of(), Set.of());
    }

    public Set<String> trustedKeyIds() {
        return trusted.keySet();
    }

    public Set<String> revokedKeyIds() {
        return revoked;
    }

    /**
     * Checks one signature. {@code content} (the signed bytes) is computed only when a trusted key was found, so a
     * record from an unknown key costs no encoding.
     */
    SignatureVerdict check(String keyId, ByteBuffer signature, Supplier<byte[]> content) {
        if (keyId == null || keyId.isEmpty()) {
            return SignatureVerdict.UNSIGNED;
        }
        if (revoked.contains(keyId)) {
            return SignatureVerdict.REVOKED;
        }
        PublicKey key = trusted.get(keyId);
        if (key == null) {
            return SignatureVerdict.UNKNOWN_KEY;
        }
        if (signature == null || signature.remaining() != ED25519_SIGNATURE_BYTES) {
            return SignatureVerdict.MALFORMED;
        }
        byte[] signatureBytes = new byte[signature.remaining()];
        signature.duplicate().get(signatureBytes);
        try {
            Signature verifier = Signature.getInstance(Ed25519Keys.ALGORITHM);
            verifier.initVerify(key);
            verifier.update(content.get());
            return verifier.verify(signatureBytes) ? SignatureVerdict.VALID : SignatureVerdict.BAD_SIGNATURE;
        } catch (GeneralSecurityException e) {
            return SignatureVerdict.BAD_SIGNATURE;
        }
    }
}
