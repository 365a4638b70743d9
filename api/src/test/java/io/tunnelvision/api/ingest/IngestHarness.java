package io.tunnelvision.api.ingest;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tunnelvision.api.KafkaClients;
import io.tunnelvision.api.db.Database;
import io.tunnelvision.api.db.PartitionMaintenance;
import io.tunnelvision.api.db.Retention;
import io.tunnelvision.api.db.RowSink;
import io.tunnelvision.embedded.fixture.SharedKafka;
import io.tunnelvision.schemas.topic.TopicCreator;
import io.tunnelvision.schemas.topic.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Topics of their own on the shared broker and an ingest consumer running on a thread, for one test. */
final class IngestHarness implements AutoCloseable {

    final String bootstrap = SharedKafka.get().bootstrapServers();
    final Topics topics = Topics.inNamespace("it-" + UUID.randomUUID().toString().substring(0, 8));
    final String group = "it-group-" + UUID.randomUUID().toString().substring(0, 8);
    final Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    // Not idempotent, one request in flight: on freshly created topics an idempotent producer's first batches can
    // meet "invalid metadata" and then retry out of sequence for minutes; the tests send their duplicates on purpose.
    final Producer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 5,
            ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
            ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1),
            new ByteArraySerializer(), new ByteArraySerializer());
    private IngestConsumer consumer;
    private Thread thread;

    IngestHarness() {
        new TopicCreator(admin).ensure(topics.all());
    }

    void start(Database database) {
        KafkaClients clients = new KafkaClients(bootstrap);
        IngestWriter writer = new IngestWriter(database.jdbi(),
                new PartitionMaintenance(database.jdbi(), Retention.DEFAULT, Clock.systemUTC()), RowSink.copy());
        consumer = new IngestConsumer(clients.ingestConsumer(group), clients.deadLetterProducer(), topics, writer,
                new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1)), metrics);
        thread = new Thread(consumer, "it-ingest");
        thread.start();
    }

    void stop() throws InterruptedException {
        if (consumer != null) {
            consumer.close();
            thread.join(15_000);
            consumer = null;
        }
    }

    <V> void send(io.tunnelvision.schemas.topic.Topic<String, V> topic, String key, V value) {
        producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic.name(),
                key.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                topic.valueSerde().serializer().serialize(topic.name(), value)));
    }

    double counter(String result) {
        return metrics.get("tunnelvision.ingest.records").tag("result", result).counter().count();
    }

    double retries() {
        return metrics.get("tunnelvision.ingest.retries").counter().count();
    }

    /** Sum of the committed offsets of the consumer group over the given topics. */
    long committed(List<String> topicNames) {
        try {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet().stream()
                .filter(e -> topicNames.contains(e.getKey().topic()) && e.getValue() != null)
                .mapToLong(e -> e.getValue().offset()).sum();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close();
        admin.close();
    }
}
