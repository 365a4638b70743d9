package io.tunnelvision.api.http;

import io.tunnelvision.embedded.fixture.SharedKafka;
import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.topic.Topic;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/** Reads what the api sent to the decisions topic of the shared broker, as the streams app would. */
final class DecisionTopic {

    private DecisionTopic() {
    }

    /** The first decision on the command, or an AssertionError when none arrives within 30 s. */
    static ConsumerRecord<String, CommandDecision> first(Topic<String, CommandDecision> topic, String commandId) {
        try (KafkaConsumer<String, CommandDecision> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.get().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "it-decisions-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            consumer.subscribe(List.of(topic.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value().getCommandId().equals(commandId)) {
                        return record;
                    }
                }
            }
        }
        throw new AssertionError("no decision on " + commandId + " reached " + topic.name());
    }
}
