package io.tunnelvision.agent.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.embedded.EmbeddedKafka;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.SoftnetCpu;
import io.tunnelvision.schemas.avro.SoftnetSample;
import io.tunnelvision.schemas.topic.Topic;
import io.tunnelvision.schemas.topic.TopicCreator;
import io.tunnelvision.schemas.topic.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent keeps publishing while the real broker is stopped for a while: a consumer then sees every sequence
 * number, in order once the records of a failed batch that were sent again are dropped the way streams drops
 * them (a sequence number not above the last one seen). Uses a broker of its own, since it stops it.
 */
class SpoolReplayIT {

    private static final String HOST = "gw-spool";

    @TempDir
    Path spoolDir;

    private EmbeddedKafka kafka;

    @AfterEach
    void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void aBrokerOutageUnderLoadLosesNoSample() throws Exception {
        kafka = new EmbeddedKafka().start();
        Topics topics = Topics.inNamespace("spool-it");
        Topic<String, SoftnetSample> topic = topics.softnetSamples;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            new TopicCreator(admin).ensure(List.of(topic));
        }

        int total = 600;
        try (DiskSpool spool = DiskSpool.open(spoolDir, 64L * 1024 * 1024);
             // a short producer timeout, so that the outage outlasts it and the spool must replay
             SpoolSender sender = new SpoolSender(spool, () -> new KafkaProducer<>(
                     ProducerSettings.forBootstrap(kafka.bootstrapServers(), HOST, Duration.ofSeconds(2)),
                     new ByteArraySerializer(), new ByteArraySerializer())).start()) {
            SamplePublisher publisher = new SamplePublisher(spool);
            // Given a steady stream of samples (one every 10 ms)
            for (int seq = 0; seq < total; seq++) {
                publisher.publish(topic, HOST, sample(seq));
                Thread.sleep(10);
                if (seq == 150) {
                    // When the broker goes away for a while
                    kafka.stop();
                }
                if (seq == 450) {
                    // And comes back on the same port
                    kafka.start();
                }
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (spool.pendingRecords() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(0, spool.pendingRecords(), "the spool drains once the broker is back");
            assertEquals(0, spool.droppedRecords());
            assertTrue(sender.failedBatches() > 0, "the outage was real: some batches failed");
        }

        // Then every sequence number is on the topic, and in order after dropping those sent twice
        List<Long> sequences = readSequences(topic);
        List<Long> expected = new ArrayList<>();
        for (long seq = 0; seq < total; seq++) {
            expected.add(seq);
        }
        List<Long> deduplicated = new ArrayList<>();
        long last = -1;
        for (long seq : sequences) {
            if (seq > last) {
                deduplicated.add(seq);
                last = seq;
            }
        }
        assertEquals(expected, deduplicated, () -> "every sample, in order; on the topic: " + sequences);
        // a resent record repeats the tail of what landed before it, never jumps ahead
        for (int i = 1; i < sequences.size(); i++) {
            assertTrue(sequences.get(i) <= sequences.get(i - 1) + 1,
                    "no gap before " + sequences.get(i) + " at offset " + i);
        }
        System.out.printf("spool replay: %d records on the topic for %d samples%n", sequences.size(), total);
    }

    private List<Long> readSequences(Topic<String, SoftnetSample> topic) {
        List<Long> sequences = new ArrayList<>();
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, SoftnetSample> consumer = new KafkaConsumer<>(props,
                topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline && partitions.stream()
                    .anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200))
                        .forEach(r -> sequences.add(r.value().getHeader().getSequence()));
            }
        }
        return sequences;
    }

    private static SoftnetSample sample(long seq) {
        return new SoftnetSample(new SampleHeader(HOST, "boot-1", seq, 1_790_000_000_000L + seq * 10, "test"),
                List.of(new SoftnetCpu(0, 0, seq * 100, 0L, seq, 0L, 0L, 0L)));
    }
}
