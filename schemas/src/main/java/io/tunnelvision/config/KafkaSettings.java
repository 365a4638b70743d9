package io.tunnelvision.config;

import io.tunnelvision.schemas.topic.Topics;
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

    /** The topic registry in the namespace the environment names. */
    public static Topics topics(Env env) {
        String namespace = env.string(TOPIC_NAMESPACE);
        try {
            return Topics.inNamespace(namespace);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(TOPIC_NAMESPACE.env() + "=" + namespace + " is not usable: " + e.getMessage(), e);
        }
    }
}
