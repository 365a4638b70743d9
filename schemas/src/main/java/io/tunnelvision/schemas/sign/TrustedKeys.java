package io.tunnelvision.schemas.sign;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Loads the public keys an agent trusts: given files, or every {@code *.pub.pem} in a directory. */
public final class TrustedKeys {

    private TrustedKeys() {
    }

    public static CommandSignatureVerifier fromFiles(List<Path> publicKeyFiles) {
        List<PublicKey> keys = new ArrayList<>();
        for (Path file : publicKeyFiles) {
            keys.add(Ed25519Keys.readPublicKey(file));
        }
        return new CommandSignatureVerifier(keys);
    }

    public static CommandSignatureVerifier fromDirectory(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> pub = files.filter(f -> f.getFileName().toString().endsWith(".pub.pem")).sorted().toList();
            if (pub.isEmpty()) {
                throw new SigningException(dir + " holds no *.pub.pem file: no command could ever verify");
            }
            return fromFiles(pub);
        } catch (IOException e) {
            throw new SigningException("cannot list trusted keys in " + dir + ": " + e.getMessage(), e);
        }
    }
}
