package io.tunnelvision.schemas.sign;

import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.codec.AvroLimits;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;

/** Signs tuning commands with the planner's Ed25519 private key. Thread-safe. */
public final class CommandSigner {

    private final Ed25519Signer signer;

    public CommandSigner(PrivateKey privateKey, String keyId) {
        this(new Ed25519Signer(privateKey, keyId));
    }

    private CommandSigner(Ed25519Signer signer) {
        // copying a generated record checks Avro's class trust, which the codec layer sets up
        AvroLimits.install();
        this.signer = signer;
    }

    public static CommandSigner of(KeyPair pair) {
        return new CommandSigner(Ed25519Signer.of(pair));
    }

    /** A signer from a private key PEM file; the key id is derived from the key's public half. */
    public static CommandSigner fromFile(Path privateKeyFile) {
        return new CommandSigner(Ed25519Signer.fromFile(privateKeyFile));
    }

    public String keyId() {
        return signer.keyId();
    }

    /** A copy of {@code command} carrying this signer's key id and a signature over everything else. */
    public TuningCommand sign(TuningCommand command) {
        TuningCommand withKey = TuningCommand.newBuilder(command).setKeyId(signer.keyId())
                .setSignature(ByteBuffer.allocate(0)).build();
        withKey.setSignature(ByteBuffer.wrap(signer.sign(SignedContent.of(withKey),
                "command " + command.getCommandId())));
        return withKey;
    }
}
