package io.tunnelvision.schemas.sign;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Loads the public keys a reader trusts: given {@code .pub.pem} files, or directories of them. A directory may
 * also hold {@value RevocationList#FILE_NAME}, the key ids it refuses (see {@link RevocationList}).
 */
public final class TrustedKeys {

    private TrustedKeys() {
    }

    public static CommandSignatureVerifier fromFiles(List<Path> publicKeyFiles) {
        return new CommandSignatureVerifier(load(publicKeyFiles));
    }

    public static CommandSignatureVerifier fromDirectory(Path dir) {
        return new CommandSignatureVerifier(load(List.of(dir)));
    }

    /**
     * The keys of every given file, and of every {@code *.pub.pem} in every given directory, with the revocation
     * lists of those directories. A directory without any key fails: nothing it vouches for could ever verify.
     */
    public static KeyRing load(List<Path> filesOrDirectories) {
        List<PublicKey> keys = new ArrayList<>();
        Set<String> revoked = new LinkedHashSet<>();
        for (Path path : filesOrDirectories) {
            if (Files.isDirectory(path)) {
                List<Path> pub = publicKeyFiles(path);
                if (pub.isEmpty()) {
                    throw new SigningException(path + " holds no *.pub.pem file: nothing signed could ever verify");
                }
                pub.forEach(file -> keys.add(Ed25519Keys.readPublicKey(file)));
                Path revocations = path.resolve(RevocationList.FILE_NAME);
                if (Files.exists(revocations)) {
                    revoked.addAll(RevocationList.parse(Ed25519Keys.read(revocations, "revocation list"),
                            revocations.toString()));
                }
            } else {
                keys.add(Ed25519Keys.readPublicKey(path));
            }
        }
        return KeyRing.of(keys, revoked);
    }

    private static List<Path> publicKeyFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".pub.pem")).sorted().toList();
        } catch (IOException e) {
            throw new SigningException("cannot list trusted keys in " + dir + ": " + e.getMessage(), e);
        }
    }
}
