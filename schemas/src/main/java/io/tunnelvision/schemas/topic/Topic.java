package io.tunnelvision.schemas.topic;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;

/**
 * A topic with the serdes of its key and value and how it is laid out. Only {@link Topics} creates them, so a
 * topic name is written in exactly one place.
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde, int partitions,
                          Duration retention, boolean compacted) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9]+([.-][a-z0-9]+)*");

    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keySerde, "keySerde");
        Objects.requireNonNull(valueSerde, "valueSerde");
        Objects.requireNonNull(retention, "retention");
        if (!NAME.matcher(name).matches() || name.length() > 200) {
            throw new IllegalArgumentException("topic name '" + name + "' must be lowercase kebab-case");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("topic " + name + " needs at least one partition");
        }
    }

    /** Topic-level configs given to the broker when the topic is created. */
    public Map<String, String> configs() {
        return Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG,
                compacted ? TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE
                        : TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis()));
    }
}
