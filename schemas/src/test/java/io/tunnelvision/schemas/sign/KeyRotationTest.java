package io.tunnelvision.schemas.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.TuningCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented rotation, step by step, on a trusted-keys directory as an agent reads it: add the new key, switch
 * the planner, revoke and remove the old one.
 */
class KeyRotationTest {

    @TempDir
    Path agentKeys;
    @TempDir
    Path plannerKeys;

    @Test
    void overlapThenRevocationThenRemoval() throws IOException {
        Ed25519Keys.KeyFiles old = Ed25519Keys.write(Ed25519Keys.generate(), plannerKeys, "planner-2025");
        Ed25519Keys.KeyFiles next = Ed25519Keys.write(Ed25519Keys.generate(), plannerKeys, "planner-2026");
        TuningCommand byOld = CommandSigner.fromFile(old.privateKey()).sign(CommandSigningTest.unsignedCommand());
        TuningCommand byNext = CommandSigner.fromFile(next.privateKey()).sign(CommandSigningTest.unsignedCommand());
        Files.copy(old.publicKey(), agentKeys.resolve("planner-2025.pub.pem"));

        // before: only the old key
        assertEquals(SignatureVerdict.VALID, TrustedKeys.fromDirectory(agentKeys).verify(byOld));
        assertEquals(SignatureVerdict.UNKNOWN_KEY, TrustedKeys.fromDirectory(agentKeys).verify(byNext));

        // step 1, overlap: agents get the new public key beside the old one, and both verify
        Files.copy(next.publicKey(), agentKeys.resolve("planner-2026.pub.pem"));
        CommandSignatureVerifier overlap = TrustedKeys.fromDirectory(agentKeys);
        assertEquals(SignatureVerdict.VALID, overlap.verify(byOld), "commands still in flight from the old key");
        assertEquals(SignatureVerdict.VALID, overlap.verify(byNext), "the planner switched early on one instance");

        // step 2, the planner signs with the new key; step 3, the old key is revoked (its file may linger)
        Files.writeString(agentKeys.resolve(RevocationList.FILE_NAME),
                "# rotated out 2026-01-10\n" + old.keyId() + "  # planner-2025\n");
        CommandSignatureVerifier revoked = TrustedKeys.fromDirectory(agentKeys);
        assertEquals(SignatureVerdict.REVOKED, revoked.verify(byOld));
        assertEquals(SignatureVerdict.VALID, revoked.verify(byNext));
        assertEquals(Set.of(old.keyId()), revoked.revokedKeyIds());

        // step 4, the old public file is removed; the revocation still names it
        Files.delete(agentKeys.resolve("planner-2025.pub.pem"));
        CommandSignatureVerifier after = TrustedKeys.fromDirectory(agentKeys);
        assertEquals(SignatureVerdict.REVOKED, after.verify(byOld));
        assertEquals(SignatureVerdict.VALID, after.verify(byNext));
        assertEquals(Set.of(next.keyId()), after.trustedKeyIds());
    }

    @Test
    void aRevocationListWithATypoFailsInsteadOfLeavingTheKeyTrusted() throws IOException {
        Ed25519Keys.write(Ed25519Keys.generate(), agentKeys, "planner");
        Files.writeString(agentKeys.resolve(RevocationList.FILE_NAME), "0123456789abcdeg\n");

        SigningException error = assertThrows(SigningException.class, () -> TrustedKeys.fromDirectory(agentKeys));
        assertTrue(error.getMessage().contains("line 1"), error.getMessage());
        assertTrue(error.getMessage().contains(RevocationList.FILE_NAME), error.getMessage());
    }

    @Test
    void revocationListsIgnoreBlankLinesAndComments() {
        assertEquals(List.of("0123456789abcdef", "fedcba9876543210"), List.copyOf(RevocationList.parse(
                "\n# old keys\n0123456789abcdef # leaked\n  fedcba9876543210\n\n", "test")));
    }

    @Test
    void filesAndDirectoriesMixInOneRing() throws IOException {
        Ed25519Keys.KeyFiles inDir = Ed25519Keys.write(Ed25519Keys.generate(), agentKeys, "api-1");
        Ed25519Keys.KeyFiles single = Ed25519Keys.write(Ed25519Keys.generate(), plannerKeys, "api-2");

        KeyRing ring = TrustedKeys.load(List.of(agentKeys, single.publicKey()));

        assertEquals(Set.of(inDir.keyId(), single.keyId()), ring.trustedKeyIds());
    }
}
