package io.tunnelvision.schemas.sign;

import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.codec.AvroLimits;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Objects;

/** Signs tuning commands with one Ed25519 private key. Thread-safe: each call uses its own {@link Signature}. */
public final class CommandSigner {

    private final PrivateKey privateKey;
    private final String keyId;

    public CommandSigner(PrivateKey privateKey, String keyId) {
        // copying a generated record checks Avro's class trust, which the codec layer sets up
        AvroLimits.install();
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
        this.keyId = Objects.requireNonNull(keyId, "keyId");
    }

    public static CommandSigner of(KeyPair pair) {
        return new CommandSigner(pair.getPrivate(), Ed25519Keys.keyId(pair.getPublic()));
    }

    /** A signer from a private key PEM file; the key id is derived from the key's public half. */
    public static CommandSigner fromFile(Path privateKeyFile) {
        PrivateKey key = Ed25519Keys.readPrivateKey(privateKeyFile);
        return new CommandSigner(key, Ed25519Keys.keyId(Ed25519Keys.publicKeyOf(key)));
    }

    public String keyId() {
        return keyId;
    }

    /** A copy of {@code command} carrying this signer's key id and a signature over everything else. */
    public TuningCommand sign(TuningCommand command) {
        TuningCommand withKey = TuningCommand.newBuilder(command).setKeyId(keyId)
                .setSignature(ByteBuffer.allocate(0)).build();
        try {
            Signature signature = Signature.getInstance(Ed25519Keys.ALGORITHM);
            signature.initSign(privateKey);
            signature.update(SignedContent.of(withKey));
            withKey.setSignature(ByteBuffer.wrap(signature.sign()));
            return withKey;
        } catch (GeneralSecurityException e) {
            throw new SigningException("cannot sign command " + command.getCommandId() + ": " + e.getMessage(), e);
        }
    }
}
