package io.tunnelvision.api.http;

import io.tunnelvision.api.KafkaClients;
import io.tunnelvision.embedded.fixture.SharedKafka;
import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.sign.DecisionSigner;
import io.tunnelvision.schemas.sign.Ed25519Keys;
import io.tunnelvision.schemas.topic.Topic;
import io.tunnelvision.schemas.topic.TopicCreator;
import io.tunnelvision.schemas.topic.Topics;
import java.security.KeyPair;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/** The decisions topic of a namespace on the shared broker: created with a publisher for it, and read back. */
final class DecisionTopic {

    /** The api's decision key in these tests. */
    static final KeyPair API_KEYS = Ed25519Keys.generate();

    private DecisionTopic() {
    }

    /** Creates the namespace's decisions topic and a publisher that sends to it. */
    static KafkaDecisionPublisher publisher(Topics topics) {
        String bootstrap = SharedKafka.get().bootstrapServers();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            new TopicCreator(admin).ensure(List.of(topics.commandDecisions));
        }
        return new KafkaDecisionPublisher(new KafkaClients(bootstrap).decisionProducer(topics.commandDecisions),
                topics.commandDecisions, DecisionSigner.of(API_KEYS));
    }

    /** A viewer token named grafana and an operator token named alice, as the api is configured with them. */
    static List<ApiToken> tokens(String viewer, String operator) {
        return ApiToken.parseAll("grafana:viewer:" + HexFormat.of().formatHex(ApiToken.hash(viewer))
                + ",alice:operator:" + HexFormat.of().formatHex(ApiToken.hash(operator)));
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
