package io.tunnelvision.config;

import java.util.List;

/** Settings every module that talks to Kafka shares. */
public final class KafkaSettings {

    public static final Setting BOOTSTRAP = Setting.optional("TUNNELVISION_KAFKA_BOOTSTRAP", "localhost:9092",
            "Kafka bootstrap servers, host:port[,host:port]");

    private KafkaSettings() {
    }

    public static List<Setting> all() {
        return List.of(BOOTSTRAP);
    }
}
