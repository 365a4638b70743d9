package io.tunnelvision.schemas.sign;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Ed25519 key pairs, their PEM files and their key ids; see the package doc for the formats. */
public final class Ed25519Keys {

    public static final String ALGORITHM = "Ed25519";
    static final String PRIVATE_LABEL = "PRIVATE KEY";
    static final String PUBLIC_LABEL = "PUBLIC KEY";
    private static final int KEY_ID_BYTES = 8;
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private Ed25519Keys() {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new SigningException("this JVM has no Ed25519 (Java 15+ has it built in)", e);
        }
    }

    /** 16 hex digits naming a public key: the first 8 bytes of the SHA-256 of its X.509 encoding. */
    public static String keyId(PublicKey key) {
        requireEd25519(key.getAlgorithm(), "public key");
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return HexFormat.of().formatHex(digest, 0, KEY_ID_BYTES);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    /**
     * The public half of a private key. The JDK has no call for it, but an Ed25519 private key is 32 random bytes
     * from which the generator derives the public key, so generating with those bytes as the "randomness" gives
     * the pair back.
     */
    public static PublicKey publicKeyOf(PrivateKey key) {
        if (!(key instanceof EdECPrivateKey edKey) || edKey.getBytes().isEmpty()) {
            throw new SigningException("not an Ed25519 private key with extractable bytes: " + key.getAlgorithm());
        }
        byte[] seed = edKey.getBytes().get();
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
            generator.initialize(NamedParameterSpec.ED25519, new FixedBytes(seed));
            return generator.generateKeyPair().getPublic();
        } catch (GeneralSecurityException e) {
            throw new SigningException("cannot derive the public key: " + e.getMessage(), e);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    /** Hands out the given bytes once; only {@link #publicKeyOf} uses it. */
    private static final class FixedBytes extends SecureRandom {
        private final byte[] bytes;

        FixedBytes(byte[] bytes) {
            this.bytes = bytes.clone();
        }

        @Override
        public void nextBytes(byte[] out) {
            if (out.length != bytes.length) {
                throw new IllegalStateException("expected a request for " + bytes.length + " bytes");
            }
            System.arraycopy(bytes, 0, out, 0, out.length);
        }
    }

    public static String toPem(PrivateKey key) {
        requireEd25519(key.getAlgorithm(), "private key");
        return pem(PRIVATE_LABEL, key.getEncoded());
    }

    public static String toPem(PublicKey key) {
        requireEd25519(key.getAlgorithm(), "public key");
        return pem(PUBLIC_LABEL, key.getEncoded());
    }

    public static PrivateKey privateKeyFromPem(String text, String source) {
        byte[] der = der(text, PRIVATE_LABEL, source);
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new SigningException(source + " does not hold an Ed25519 private key (PKCS#8): " + e.getMessage(), e);
        }
    }

    public static PublicKey publicKeyFromPem(String text, String source) {
        byte[] der = der(text, PUBLIC_LABEL, source);
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new SigningException(source + " does not hold an Ed25519 public key (X.509): " + e.getMessage(), e);
        }
    }

    public static PublicKey readPublicKey(Path file) {
        return publicKeyFromPem(read(file, "key file"), file.toString());
    }

    public static PrivateKey readPrivateKey(Path file) {
        return privateKeyFromPem(read(file, "key file"), file.toString());
    }

    /**
     * Writes {@code <name>.key.pem} (owner read/write only) and {@code <name>.pub.pem} into {@code dir}; refuses
     * to overwrite either, so a key in use is never lost by accident.
     */
    public static KeyFiles write(KeyPair pair, Path dir, String name) {
        Path privateFile = dir.resolve(name + ".key.pem");
        Path publicFile = dir.resolve(name + ".pub.pem");
        try {
            Files.createDirectories(dir);
            if (Files.exists(privateFile) || Files.exists(publicFile)) {
                throw new SigningException("refusing to overwrite " + privateFile + " or " + publicFile
                        + ": move them away or choose another name");
            }
            createOwnerOnly(privateFile);
            Files.writeString(privateFile, toPem(pair.getPrivate()), US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
            Files.writeString(publicFile, toPem(pair.getPublic()), US_ASCII, StandardOpenOption.CREATE_NEW);
            return new KeyFiles(privateFile, publicFile, keyId(pair.getPublic()));
        } catch (FileAlreadyExistsException e) {
            throw new SigningException("refusing to overwrite " + e.getFile(), e);
        } catch (IOException e) {
            throw new SigningException("cannot write the key pair to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Where {@link #write} put a pair, and its key id. */
    public record KeyFiles(Path privateKey, Path publicKey, String keyId) {
    }

    private static void createOwnerOnly(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system (Windows): the directory's ACL has to protect it
            Files.createFile(file);
        }
    }

    /** @param what names the file in the error, e.g. "key file" */
    static String read(Path file, String what) {
        try {
            return Files.readString(file, US_ASCII);
        } catch (IOException e) {
            throw new SigningException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    private static String pem(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(US_ASCII)).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }

    private static byte[] der(String text, String label, String source) {
        Matcher matcher = PEM.matcher(text);
        while (matcher.find()) {
            if (matcher.group(1).equals(label)) {
                try {
                    return Base64.getMimeDecoder().decode(matcher.group(2));
                } catch (IllegalArgumentException e) {
                    throw new SigningException(source + ": the " + label + " block is not valid base64", e);
                }
            }
        }
        throw new SigningException(source + " has no '-----BEGIN " + label + "-----' block");
    }

    private static void requireEd25519(String algorithm, String what) {
        if (!ALGORITHM.equalsIgnoreCase(algorithm) && !"EdDSA".equalsIgnoreCase(algorithm)) {
            throw new SigningException("the " + what + " is " + algorithm + ", not " + ALGORITHM);
        }
    }
}
