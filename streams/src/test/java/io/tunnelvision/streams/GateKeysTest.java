package io.tunnelvision.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.config.ConfigException;
import io.tunnelvision.config.Env;
import io.tunnelvision.schemas.sign.CommandSigner;
import io.tunnelvision.schemas.sign.Ed25519Keys;
import io.tunnelvision.schemas.sign.SigningException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key checks streams makes before it starts. */
class GateKeysTest {

    @TempDir
    Path dir;

    @Test
    void aMissingSigningKeyStopsTheAppAndSaysHowToMakeOne() {
        Path key = dir.resolve("planner.key.pem");

        SigningException error = assertThrows(SigningException.class, () -> GateKeys.signer(key, false));

        assertTrue(error.getMessage().contains("tunnelvision keygen"), error.getMessage());
        assertTrue(error.getMessage().contains("TUNNELVISION_STREAMS_CREATE_KEY=true"), error.getMessage());
        assertFalse(Files.exists(key), "no key appears unasked");
    }

    @Test
    void aKeyIsCreatedOnlyWhenAskedAndThenKept() {
        Path key = dir.resolve("planner.key.pem");

        CommandSigner created = GateKeys.signer(key, true);
        CommandSigner again = GateKeys.signer(key, false);

        assertTrue(Files.exists(dir.resolve("planner.pub.pem")));
        assertEquals(created.keyId(), again.keyId(), "the second start signs with the same key");
    }

    @Test
    void approvalModeNeedsTheApisKeysAndNeverThePlannersOwn() {
        StreamsAppConfig approval = new StreamsAppConfig(new Env(Map.of()));
        Ed25519Keys.KeyFiles planner = Ed25519Keys.write(Ed25519Keys.generate(), dir, "planner");
        Ed25519Keys.KeyFiles api = Ed25519Keys.write(Ed25519Keys.generate(), dir.resolve("api"), "api");

        ConfigException none = assertThrows(ConfigException.class,
                () -> GateKeys.decisionCheck(approval, planner.keyId()));
        ConfigException own = assertThrows(ConfigException.class, () -> GateKeys.decisionCheck(
                withDecisionKeys(planner.publicKey()), planner.keyId()));

        assertTrue(none.getMessage().contains("TUNNELVISION_STREAMS_DECISION_KEYS"), none.getMessage());
        assertTrue(own.getMessage().contains("planner's own key"), own.getMessage());
        assertEquals(java.time.Duration.ofMinutes(10), GateKeys.decisionCheck(withDecisionKeys(dir.resolve("api")),
                planner.keyId()).maxAge());
    }

    private static StreamsAppConfig withDecisionKeys(Path keys) {
        return new StreamsAppConfig(new Env(Map.of("TUNNELVISION_STREAMS_DECISION_KEYS", keys.toString())));
    }
}
