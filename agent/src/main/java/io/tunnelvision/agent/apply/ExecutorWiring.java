package io.tunnelvision.agent.apply;

import io.tunnelvision.agent.AgentConfig;
import io.tunnelvision.agent.publish.DiskSpool;
import io.tunnelvision.agent.publish.SamplePublisher;
import io.tunnelvision.schemas.sign.CommandSignatureVerifier;
import io.tunnelvision.schemas.sign.SigningException;
import io.tunnelvision.schemas.sign.TrustedKeys;
import java.nio.file.Files;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the executor and its consumer from the agent's settings, for {@code run}. */
public final class ExecutorWiring {

    private static final Logger LOG = LoggerFactory.getLogger(ExecutorWiring.class);

    private ExecutorWiring() {
    }

    /**
     * Starts consuming this host's commands; results go through {@code spool} and are counted in {@code counts}.
     *
     * @param kafkaSecurity the client security properties read from the agent's settings
     */
    public static CommandConsumer start(AgentConfig config, Map<String, Object> kafkaSecurity, DiskSpool spool,
                                        CommandCounts counts) {
        CommandExecutor executor = new CommandExecutor(config.executorSettings(), verifier(config), Clock.systemUTC(),
                counts, config.crashPause());
        ResultSink results = config.crashPause().afterSpooled(new SpoolResults(config.topics().commandResults,
                config.topics().deadLetters, new SamplePublisher(spool)));
        CommandConsumer consumer = new CommandConsumer(config.topics().commands, config.hostId(), executor, results,
                () -> new KafkaConsumer<>(CommandConsumer.consumerSettings(config.kafkaBootstrap(), kafkaSecurity,
                        config.topics().namespace(), config.hostId()),
                        new ByteArrayDeserializer(), new ByteArrayDeserializer()));
        LOG.info("command executor: {}, trusting keys {}, revoked keys {}, actions {}, audit log {}",
                config.dryRun() ? "DRY RUN (TUNNELVISION_AGENT_DRY_RUN=true)" : "applying",
                executor.trustedKeyIds(), executor.revokedKeyIds(), config.applyActions(), executor.auditLog());
        return consumer.start();
    }

    /**
     * The trusted keys and the revocation list beside them; none (a missing or empty directory, or a revocation list
     * that does not parse) is not fatal for the collector, but then every command is rejected with a reason that
     * says so, which the planner sees in the results.
     */
    static CommandSignatureVerifier verifier(AgentConfig config) {
        if (!Files.isDirectory(config.trustedKeysDir())) {
            LOG.warn("{} ({}) does not exist: every tuning command will be rejected",
                    config.trustedKeysDir(), AgentConfig.TRUSTED_KEYS_DIR.env());
            return new CommandSignatureVerifier(List.of());
        }
        try {
            return TrustedKeys.fromDirectory(config.trustedKeysDir());
        } catch (SigningException e) {
            LOG.warn("{}: every tuning command will be rejected", e.getMessage());
            return new CommandSignatureVerifier(List.of());
        }
    }
}
