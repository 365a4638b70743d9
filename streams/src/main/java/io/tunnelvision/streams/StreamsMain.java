package io.tunnelvision.streams;

import io.tunnelvision.config.ConfigException;
import io.tunnelvision.config.Env;
import io.tunnelvision.schemas.sign.CommandSigner;
import io.tunnelvision.schemas.sign.SigningException;
import io.tunnelvision.streams.fleet.DecisionCheck;
import io.tunnelvision.streams.topology.TunnelvisionTopology;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loads the config, builds the topology, logs it, starts it, waits for RUNNING and stops it cleanly on exit. */
public final class StreamsMain {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsMain.class);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);

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
            System.exit(1);
            return;
        }
        LOG.info("Resolved {}", config);
        LOG.info("Commands are signed with key {} ({})", signer.keyId(), config.signingKeyFile());
        Topology topology = new TunnelvisionTopology(config.topics(), config.thresholds(), config.policy(),
                config.plannerSettings(), signer, decisions).build();
        LOG.info("Topology:\n{}", topology.describe());

        KafkaStreams streams = new KafkaStreams(topology, StreamsProperties.of(config));
        CountDownLatch running = new CountDownLatch(1);
        streams.setStateListener((now, before) -> {
            LOG.info("Streams state {} -> {}", before, now);
            if (now == KafkaStreams.State.RUNNING) {
                running.countDown();
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> streams.close(Duration.ofSeconds(30)), "streams-shutdown"));
        streams.start();
        if (!running.await(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            LOG.warn("Not RUNNING after {}; still trying (state {})", START_TIMEOUT, streams.state());
        } else {
            LOG.info("Streams app running, commands signed with key {}", signer.keyId());
        }
    }
}
