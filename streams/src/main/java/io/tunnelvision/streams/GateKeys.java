package io.tunnelvision.streams;

import io.tunnelvision.config.ConfigException;
import io.tunnelvision.schemas.sign.CommandSigner;
import io.tunnelvision.schemas.sign.DecisionSignatureVerifier;
import io.tunnelvision.schemas.sign.Ed25519Keys;
import io.tunnelvision.schemas.sign.SigningException;
import io.tunnelvision.schemas.sign.TrustedKeys;
import io.tunnelvision.streams.StreamsAppConfig.PlannerMode;
import io.tunnelvision.streams.fleet.DecisionCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gate's keys as the streams app loads them before it starts: the planner's signing key and the api keys
 * decisions must be signed with. Shared by {@link StreamsMain} and the local system, so both refuse the same things.
 */
public final class GateKeys {

    private static final Logger LOG = LoggerFactory.getLogger(GateKeys.class);

    private GateKeys() {
    }

    /**
     * The planner's key. A missing file stops the app unless {@code create} says to make one: a pod that lost its
     * key volume must not start signing with a new key that no agent trusts (every command would be refused).
     */
    public static CommandSigner signer(StreamsAppConfig config) {
        return signer(config.signingKeyFile(), config.createKey());
    }

    static CommandSigner signer(Path keyFile, boolean create) {
        if (Files.exists(keyFile)) {
            return CommandSigner.fromFile(keyFile);
        }
        if (!create) {
            throw new SigningException("no signing key at " + keyFile + " (" + StreamsAppConfig.SIGNING_KEY_FILE.env()
                    + "): create one with 'tunnelvision keygen " + parentOf(keyFile) + " planner' and give agents its"
                    + " .pub.pem, or set " + StreamsAppConfig.CREATE_KEY.env() + "=true to have it created here");
        }
        String file = keyFile.getFileName().toString();
        if (!file.endsWith(".key.pem")) {
            throw new SigningException(keyFile + " does not exist, and a key is only created for a name ending"
                    + " in .key.pem (its public half goes next to it as .pub.pem)");
        }
        String name = file.substring(0, file.length() - ".key.pem".length());
        Ed25519Keys.KeyFiles created = Ed25519Keys.write(Ed25519Keys.generate(), parentOf(keyFile), name);
        LOG.warn("No signing key at {}: created key {} there ({}=true); give agents {}", keyFile, created.keyId(),
                StreamsAppConfig.CREATE_KEY.env(), created.publicKey());
        return CommandSigner.fromFile(created.privateKey());
    }

    /**
     * The api keys decisions must be signed with; approval mode without any could never approve anything. The
     * planner's own key is refused among them: the two keys guard different things and must stay apart.
     */
    public static DecisionCheck decisionCheck(StreamsAppConfig config, String plannerKeyId) {
        if (config.decisionKeys().isEmpty()) {
            if (config.plannerMode() == PlannerMode.APPROVAL) {
                throw new ConfigException("planner mode approval needs " + StreamsAppConfig.DECISION_KEYS.env()
                        + ", the api's public decision key(s): without them no proposal could ever be approved");
            }
            LOG.info("No api decision keys ({} is empty): every decision is refused",
                    StreamsAppConfig.DECISION_KEYS.env());
            return DecisionCheck.refusingAll();
        }
        DecisionSignatureVerifier verifier = new DecisionSignatureVerifier(TrustedKeys.load(config.decisionKeys()));
        if (verifier.trustedKeyIds().contains(plannerKeyId)) {
            throw new ConfigException(StreamsAppConfig.DECISION_KEYS.env() + " holds the planner's own key "
                    + plannerKeyId + ": give the api a key of its own (tunnelvision keygen DIR api)");
        }
        LOG.info("Decisions are accepted when signed by api key(s) {}, at most {} old",
                verifier.trustedKeyIds().stream().sorted().toList(), config.decisionMaxAge());
        return new DecisionCheck(verifier, config.decisionMaxAge());
    }

    private static Path parentOf(Path file) {
        return file.toAbsolutePath().getParent();
    }
}
