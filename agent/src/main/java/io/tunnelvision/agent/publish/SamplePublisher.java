package io.tunnelvision.agent.publish;

import io.tunnelvision.schemas.topic.Topic;

/**
 * Serializes a sample with its topic's serdes and writes it to the spool; the {@link SpoolSender} takes it from
 * there. Publishing therefore never blocks on Kafka and never fails because Kafka is away.
 */
public final class SamplePublisher {

    private final DiskSpool spool;

    public SamplePublisher(DiskSpool spool) {
        this.spool = spool;
    }

    public <V> void publish(Topic<String, V> topic, String hostId, V value) {
        byte[] key = topic.keySerde().serializer().serialize(topic.name(), hostId);
        byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
        spool.append(new SpoolRecord(topic.name(), key, bytes));
    }

    /** A record that is already bytes, such as a dead letter, on its way through the same spool. */
    public void publishRaw(SpoolRecord record) {
        spool.append(record);
    }
}
