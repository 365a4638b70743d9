package io.tunnelvision.api;

import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.topic.Topic;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The Kafka clients of the api, configured in one place. */
public final class KafkaClients {

    private final String bootstrap;
    private final Map<String, Object> security;

    /** Clients of a broker without security (tests' embedded broker). */
    public KafkaClients(String bootstrap) {
        this(bootstrap, Map.of());
    }

    /** @param security the client security properties ({@code KafkaSecurity.clientProperties()}) */
    public KafkaClients(String bootstrap, Map<String, Object> security) {
        this.bootstrap = bootstrap;
        this.security = Map.copyOf(security);
    }

    /**
     * Raw bytes in, so a record that does not decode is caught per record (and dead-lettered) instead of failing the
     * whole poll; read_committed, so aborted transactions of the streams app are never stored; offsets are committed
     * by hand after the database commit.
     */
    public Consumer<byte[], byte[]> ingestConsumer(String groupId) {
        return new KafkaConsumer<>(secured(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, groupId,
                ConsumerConfig.CLIENT_ID_CONFIG, groupId + "-ingest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000,
                // fewer, larger polls: each one costs a transaction and an offset commit
                ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 256 * 1024,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100)),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    public Producer<byte[], byte[]> deadLetterProducer() {
        return new KafkaProducer<>(secured(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    public Producer<String, CommandDecision> decisionProducer(Topic<String, CommandDecision> topic) {
        return new KafkaProducer<>(secured(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000)),
                topic.keySerde().serializer(), topic.valueSerde().serializer());
    }

    public Admin admin() {
        return Admin.create(secured(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000)));
    }

    /** A client's own settings on top of the security ones. */
    private Map<String, Object> secured(Map<String, Object> settings) {
        Map<String, Object> all = new HashMap<>(security);
        all.putAll(settings);
        return all;
    }
}
