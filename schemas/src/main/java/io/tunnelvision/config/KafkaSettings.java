package io.tunnelvision.config;

import java.util.List;

/** Settings every module that talks to Kafka shares. */
public final class KafkaSettings {

    public static final Setting BOOTSTRAP = Setting.optional("TUNNELVISION_KAFKA_BOOTSTRAP", "localhost:9092",
            "Kafka bootstrap servers, host:port[,host:port]");

    public static final Setting TOPIC_NAMESPACE = Setting.optional("TUNNELVISION_TOPIC_NAMESPACE", "",
            "Prefix of every topic name (namespace.tunnelvision-...), for several environments on one cluster");

    private KafkaSettings() {
    }

    public static List<Setting> all() {
        return List.of(BOOTSTRAP, TOPIC_NAMESPACE);
    }
}
