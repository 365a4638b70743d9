package io.tunnelvision.schemas.sign;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Objects;

/**
 * One private key and its key id, signing bytes: the single mechanism behind {@link CommandSigner} (the planner)
 * and {@link DecisionSigner} (the api). Thread-safe: each call uses its own {@link Signature}.
 */
final class Ed25519Signer {

    private final PrivateKey privateKey;
    private final String keyId;

    Ed25519Signer(PrivateKey privateKey, String keyId) {
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
        this.keyId = Objects.requireNonNull(keyId, "keyId");
    }

    static Ed25519Signer of(KeyPair pair) {
        return new Ed25519Signer(pair.getPrivate(), Ed25519Keys.keyId(pair.getPublic()));
    }

    /** The key id is derived from the key's public half, so a file cannot mislabel it. */
    static Ed25519Signer fromFile(Path privateKeyFile) {
        PrivateKey key = Ed25519Keys.readPrivateKey(privateKeyFile);
        return new Ed25519Signer(key, Ed25519Keys.keyId(Ed25519Keys.publicKeyOf(key)));
    }

    String keyId() {
        return keyId;
    }

    /** @param what names the record in the error, e.g. "command cmd-1" */
    byte[] sign(byte[] content, String what) {
        try {
            Signature signature = Signature.getInstance(Ed25519Keys.ALGORITHM);
            signature.initSign(privateKey);
            signature.update(content);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new SigningException("cannot sign " + what + ": " + e.getMessage(), e);
        }
    }
}
