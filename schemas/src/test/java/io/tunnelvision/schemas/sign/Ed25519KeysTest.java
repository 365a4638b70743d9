package io.tunnelvision.schemas.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.TuningCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Ed25519KeysTest {

    @TempDir
    Path dir;

    @Test
    void keyFilesRoundTripAndTheSignerFromAFileVerifiesWithThePublicFile() throws IOException {
        KeyPair pair = Ed25519Keys.generate();

        Ed25519Keys.KeyFiles files = Ed25519Keys.write(pair, dir, "planner");
        CommandSigner signer = CommandSigner.fromFile(files.privateKey());
        TuningCommand signed = signer.sign(CommandSigningTest.unsignedCommand());

        assertEquals(Ed25519Keys.keyId(pair.getPublic()), signer.keyId());
        assertEquals(files.keyId(), signer.keyId());
        assertTrue(TrustedKeys.fromFiles(List.of(files.publicKey())).isValid(signed));
        assertTrue(TrustedKeys.fromDirectory(dir).isValid(signed));
        assertTrue(Files.readString(files.privateKey()).startsWith("-----BEGIN PRIVATE KEY-----"));
        assertTrue(Files.readString(files.publicKey()).startsWith("-----BEGIN PUBLIC KEY-----"));
    }

    @Test
    void thePrivateKeyFileIsReadableByItsOwnerOnly() throws IOException {
        Ed25519Keys.KeyFiles files = Ed25519Keys.write(Ed25519Keys.generate(), dir, "planner");

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.privateKey())));
    }

    @Test
    void theKeyIdIsDerivedFromTheKeySoBothSidesAgree() {
        KeyPair pair = Ed25519Keys.generate();

        assertEquals(Ed25519Keys.keyId(pair.getPublic()), Ed25519Keys.keyId(Ed25519Keys.publicKeyOf(pair.getPrivate())));
        assertTrue(Ed25519Keys.keyId(pair.getPublic()).matches("[0-9a-f]{16}"));
    }

    @Test
    void anExistingKeyIsNeverOverwritten() {
        Ed25519Keys.write(Ed25519Keys.generate(), dir, "planner");

        SigningException error = assertThrows(SigningException.class,
                () -> Ed25519Keys.write(Ed25519Keys.generate(), dir, "planner"));
        assertTrue(error.getMessage().contains("refusing to overwrite"), error.getMessage());
    }

    @Test
    void aFileWithoutTheExpectedBlockIsRejectedNamingTheFile() throws IOException {
        Path file = dir.resolve("broken.pub.pem");
        Files.writeString(file, "not a key");

        SigningException error = assertThrows(SigningException.class, () -> Ed25519Keys.readPublicKey(file));
        assertTrue(error.getMessage().contains(file.toString()), error.getMessage());
        assertThrows(SigningException.class, () -> TrustedKeys.fromDirectory(dir.resolve("none-here-yet")));
    }

    @Test
    void keygenWritesAPairAndPrintsItsKeyId() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = Keygen.run(new String[] {dir.toString(), "ops"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        String keyId = Ed25519Keys.keyId(Ed25519Keys.readPublicKey(dir.resolve("ops.pub.pem")));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains(keyId));
        assertTrue(Files.exists(dir.resolve("ops.key.pem")));
        assertEquals(2, Keygen.run(new String[0], new PrintStream(out), new PrintStream(err)));
    }

    @Test
    void keygenWithKeepLeavesAnExistingPairAndRefusesAMismatchedOne() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(0, Keygen.run(new String[] {"--keep", dir.toString(), "api"}, new PrintStream(out), err));
        String first = Files.readString(dir.resolve("api.key.pem"));

        assertEquals(0, Keygen.run(new String[] {"--keep", dir.toString(), "api"}, new PrintStream(out), err));
        assertEquals(first, Files.readString(dir.resolve("api.key.pem")), "kept, not replaced");
        assertEquals(1, Keygen.run(new String[] {dir.toString(), "api"}, new PrintStream(out), err),
                "without --keep an existing pair is an error");

        Files.writeString(dir.resolve("api.pub.pem"), Ed25519Keys.toPem(Ed25519Keys.generate().getPublic()));
        assertEquals(1, Keygen.run(new String[] {"--keep", dir.toString(), "api"}, new PrintStream(out), err));
    }
}
