package io.tunnelvision.agent.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.sign.CommandSignatureVerifier;
import io.tunnelvision.schemas.sign.CommandSigner;
import io.tunnelvision.schemas.sign.Ed25519Keys;
import io.tunnelvision.schemas.sign.KeyRing;
import io.tunnelvision.schemas.sign.SignatureVerdict;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Refusals by signature that have their own reason and count: a key on the revocation list, and an unsigned
 * command (what a proposal is before an operator approves it). Neither changes a file.
 */
class SignatureRefusalTest {

    private static final String HOST = "gw-ams-01";
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final KeyPair OLD = Ed25519Keys.generate();
    private static final KeyPair NEW = Ed25519Keys.generate();

    @TempDir
    Path dir;
    private FakeHost host;
    private final Commands planner = new Commands(HOST, NOW.toEpochMilli());
    private final CommandCounts counts = new CommandCounts();

    @BeforeEach
    void givenAGateway() {
        host = new FakeHost(dir);
    }

    private CommandExecutor executor(CommandSignatureVerifier verifier) {
        ExecutorSettings settings = ExecutorSettings.of(HOST, host.sys, host.proc, dir.resolve("state"),
                ExecutorSettings.allActions(), ApplyBounds.standard(), false)
                .withEthtoolLocations(List.of(dir.resolve("no/ethtool")));
        return new CommandExecutor(settings, verifier, Clock.fixed(NOW, ZoneOffset.UTC), counts);
    }

    private TuningCommand txqueuelen(KeyPair key) {
        return CommandSigner.of(key).sign(planner.builder(TuningAction.TXQUEUELEN, "tun0", "500", "1000").build());
    }

    @Test
    void aCommandSignedByARevokedKeyIsRefusedWithItsOwnReasonAndCounted() {
        CommandExecutor executor = executor(new CommandSignatureVerifier(KeyRing.of(
                List.of(OLD.getPublic(), NEW.getPublic()), Set.of(Ed25519Keys.keyId(OLD.getPublic())))));
        Map<String, String> before = host.snapshot();

        CommandResult result = executor.handle(txqueuelen(OLD));

        assertEquals(CommandStatus.REJECTED, result.getStatus());
        assertTrue(result.getReason().contains("is revoked"), result.getReason());
        assertEquals(before, host.snapshot(), "nothing written");
        assertEquals(1, counts.signatureRefusals(SignatureVerdict.REVOKED));
        assertEquals(0, counts.signatureRefusals(SignatureVerdict.UNKNOWN_KEY));
        assertEquals(CommandStatus.APPLIED, executor.handle(txqueuelen(NEW)).getStatus(),
                "the key that replaced it still works");
    }

    @Test
    void anUnsignedCommandIsAProposalAndNeverApplied() {
        CommandExecutor executor = executor(Commands.trusting());
        Map<String, String> before = host.snapshot();

        CommandResult result = executor.handle(planner.builder(TuningAction.TXQUEUELEN, "tun0", "500", "1000")
                .build());

        assertEquals(CommandStatus.REJECTED, result.getStatus());
        assertTrue(result.getReason().contains("unsigned command is a proposal"), result.getReason());
        assertEquals(before, host.snapshot());
        assertEquals(1, counts.signatureRefusals(SignatureVerdict.UNSIGNED));
    }
}
