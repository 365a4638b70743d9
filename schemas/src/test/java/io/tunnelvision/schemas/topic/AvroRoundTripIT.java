package io.tunnelvision.schemas.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.embedded.fixture.SharedKafka;
import io.tunnelvision.schemas.ExampleRecords;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every record type through a real broker: created topics, the registry's serdes, a producer and a consumer. */
class AvroRoundTripIT {

    private static String bootstrap;
    private Topics topics;

    /** Each test gets its own namespace: records of one test never show up in another. */
    @BeforeEach
    void createTopics() {
        bootstrap = SharedKafka.get().bootstrapServers();
        topics = Topics.inNamespace("it-" + UUID.randomUUID().toString().substring(0, 8));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            TopicCreator creator = new TopicCreator(admin);
            TopicCreator.Outcome first = creator.ensure(topics.all());
            assertEquals(topics.all().size(), first.created().size(), "first call creates every topic");
            TopicCreator.Outcome second = creator.ensure(topics.all());
            assertEquals(List.of(), second.created(), "second call creates nothing");
            assertEquals(List.of(), second.partitionMismatches());
        }
    }

    @Test
    void everyRecordTypeArrivesUnchanged() {
        String host = "gw-roundtrip";
        roundTrip(topics.interruptSamples, host, ExampleRecords.interrupts(host));
        roundTrip(topics.softnetSamples, host, ExampleRecords.softnet(host));
        roundTrip(topics.linkSamples, host, ExampleRecords.link(host));
        roundTrip(topics.interfaceConfigSamples, host, ExampleRecords.interfaceConfig(host));
        roundTrip(topics.kernelSettingsSamples, host, ExampleRecords.kernel(host));
        roundTrip(topics.latencySamples, host, ExampleRecords.latency(host));
        roundTrip(topics.hotspots, host, ExampleRecords.hotspot(host));
        roundTrip(topics.commands, host, ExampleRecords.command(host));
        roundTrip(topics.commandResults, host, ExampleRecords.result(host));
        roundTrip(topics.commandProposals, host, ExampleRecords.command(host));
        roundTrip(topics.commandDecisions, host, ExampleRecords.decision(host));
        roundTrip(topics.commandOutcomes, host, ExampleRecords.outcome(host));
        roundTrip(topics.interruptRates, host, ExampleRecords.interruptRates(host));
        roundTrip(topics.softnetRates, host, ExampleRecords.softnetRates(host));
        roundTrip(topics.linkRates, host, ExampleRecords.linkRates(host));
        roundTrip(topics.kernelRates, host, ExampleRecords.kernelRates(host));
    }

    @Test
    void oneHostsRecordsStayOnOnePartitionInOrder() {
        String host = "gw-order";
        List<io.tunnelvision.schemas.avro.SoftnetSample> sent = new ArrayList<>();
        for (int seq = 0; seq < 50; seq++) {
            io.tunnelvision.schemas.avro.SoftnetSample s = ExampleRecords.softnet(host);
            s.getHeader().setSequence(seq);
            sent.add(s);
        }
        List<ConsumerRecord<String, io.tunnelvision.schemas.avro.SoftnetSample>> got =
                produceAndConsume(topics.softnetSamples, host, sent);
        assertEquals(1, got.stream().map(ConsumerRecord::partition).distinct().count());
        for (int i = 0; i < sent.size(); i++) {
            assertEquals(i, got.get(i).value().getHeader().getSequence());
        }
    }

    private <V> void roundTrip(Topic<String, V> topic, String key, V value) {
        List<ConsumerRecord<String, V>> got = produceAndConsume(topic, key, List.of(value));
        assertEquals(1, got.size(), topic.name());
        assertEquals(key, got.get(0).key());
        assertEquals(value, got.get(0).value(), topic.name());
    }

    private static <V> List<ConsumerRecord<String, V>> produceAndConsume(Topic<String, V> topic, String key,
                                                                         List<V> values) {
        Map<String, Object> producerProps = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        try (KafkaProducer<String, V> producer = new KafkaProducer<>(producerProps,
                topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            for (V value : values) {
                producer.send(new ProducerRecord<>(topic.name(), key, value));
            }
            producer.flush();
        }
        Map<String, Object> consumerProps = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, V>> got = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(consumerProps,
                topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            // assign instead of subscribe: no group rebalance to wait for
            consumer.assign(consumer.partitionsFor(topic.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (got.size() < values.size() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(got::add);
            }
        }
        assertTrue(got.size() >= values.size(), topic.name() + ": got " + got.size() + " of " + values.size());
        return got;
    }
}
