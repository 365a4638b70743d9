package io.tunnelvision.streams;

import io.tunnelvision.config.ConfigException;
import io.tunnelvision.config.Env;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the Kafka Streams application. */
public final class StreamsMain {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsMain.class);

    private StreamsMain() {
    }

    public static void main(String[] args) {
        StreamsAppConfig config;
        try {
            config = new StreamsAppConfig(Env.system());
        } catch (ConfigException e) {
            LOG.error("Cannot start the streams app: {}", e.getMessage());
            System.exit(1);
            return;
        }
        LOG.info("Resolved {}", config);
        LOG.error("The streams topologies are not built yet: nothing to run");
        System.exit(2);
    }
}
