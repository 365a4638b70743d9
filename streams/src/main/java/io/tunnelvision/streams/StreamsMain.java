package io.tunnelvision.streams;

import io.tunnelvision.config.ConfigException;
import io.tunnelvision.config.Env;
import io.tunnelvision.schemas.sign.CommandSigner;
import io.tunnelvision.schemas.sign.SigningException;
import io.tunnelvision.streams.fleet.DecisionCheck;
import io.tunnelvision.streams.topology.TunnelvisionTopology;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the config, builds the topology, logs it, starts it with its endpoints, waits for RUNNING and stops it
 * cleanly on exit. Exit codes: {@value #EXIT_CONFIG} cannot start, {@value #EXIT_STREAMS_FAILED} Kafka Streams gave
 * up after repeated thread failures.
 */
public final class StreamsMain {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsMain.class);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);
    /** A setting or key file is wrong, or the HTTP port is taken: a restart alone will not help. */
    static final int EXIT_CONFIG = 1;
    /** Kafka Streams shut itself down (ERROR: threads kept dying, see {@link ThreadFailurePolicy}): restart. */
    static final int EXIT_STREAMS_FAILED = 2;

    private StreamsMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        StreamsAppConfig config;
        CommandSigner signer;
        DecisionCheck decisions;
        try {
            config = new StreamsAppConfig(Env.system());
            signer = GateKeys.signer(config);
            decisions = GateKeys.decisionCheck(config, signer.keyId());
        } catch (ConfigException | SigningException e) {
            LOG.error("Cannot start the streams app: {}", e.getMessage());
            System.exit(EXIT_CONFIG);
            return;
        }
        LOG.info("Resolved {}", config);
        LOG.info("Commands are signed with key {} ({})", signer.keyId(), config.signingKeyFile());
        Topology topology = new TunnelvisionTopology(config.topics(), config.thresholds(), config.policy(),
                config.plannerSettings(), signer, decisions).build();
        LOG.info("Topology:\n{}", topology.describe());

        StreamsRuntime runtime;
        try {
            runtime = StreamsRuntime.create(config, topology, StreamsProperties.of(config), Clock.systemUTC()).start();
        } catch (UncheckedIOException e) {
            LOG.error("Cannot start the streams app: {}: {}", e.getMessage(), e.getCause().getMessage());
            System.exit(EXIT_CONFIG);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(runtime::close, "streams-shutdown"));
        if (!runtime.awaitRunning(START_TIMEOUT)) {
            LOG.warn("Not RUNNING after {}; still trying (state {})", START_TIMEOUT, runtime.streams().state());
        } else {
            LOG.info("Streams app running, commands signed with key {}", signer.keyId());
        }
        // NOT_RUNNING: the shutdown hook closed it, and the JVM is already on its way out
        if (runtime.awaitTermination() == KafkaStreams.State.ERROR) {
            LOG.error("Kafka Streams gave up (state ERROR); exiting with {} for the supervisor to restart the app",
                    EXIT_STREAMS_FAILED);
            runtime.close();
            System.exit(EXIT_STREAMS_FAILED);
        }
    }
}
