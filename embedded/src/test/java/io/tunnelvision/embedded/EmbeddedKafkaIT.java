package io.tunnelvision.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaIT {

    private static final String TOPIC = "tunnel-latency";

    @Test
    void keepsTopicsAndRecordsAcrossARestartOnTheSamePort() throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            String bootstrap = kafka.bootstrapServers();
            assertTrue(bootstrap.matches("127\\.0\\.0\\.1:\\d+"), bootstrap);
            System.out.printf("Kafka first start (format): %d ms%n", kafka.lastStartDuration().toMillis());

            try (Admin admin = admin(kafka)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
            }
            try (KafkaProducer<String, String> producer = producer(kafka)) {
                producer.send(new ProducerRecord<>(TOPIC, "gw-1", "12.5")).get();
            }
            assertEquals(List.of("gw-1=12.5"), readAll(kafka, 1));

            kafka.stop();
            assertFalse(kafka.isRunning());
            kafka.start();
            System.out.printf("Kafka restart: %d ms%n", kafka.lastStartDuration().toMillis());

            assertEquals(bootstrap, kafka.bootstrapServers());
            try (Admin admin = admin(kafka)) {
                assertTrue(admin.listTopics().names().get().contains(TOPIC));
            }
            try (KafkaProducer<String, String> producer = producer(kafka)) {
                producer.send(new ProducerRecord<>(TOPIC, "gw-2", "7.0")).get();
            }
            assertEquals(List.of("gw-1=12.5", "gw-2=7.0"), readAll(kafka, 2));
        }
    }

    @Test
    void resumesAClusterInANewObjectOnTheSameDirectory() throws Exception {
        Path dataDir = Files.createTempDirectory("kafka-given-");
        try {
            try (EmbeddedKafka first = new EmbeddedKafka(dataDir).start(); Admin admin = admin(first)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
            }
            // new random ports: a later JVM (the local mode) reopens the same data
            try (EmbeddedKafka second = new EmbeddedKafka(dataDir).start(); Admin admin = admin(second)) {
                assertEquals(Set.of(TOPIC), admin.listTopics().names().get());
            }
        } finally {
            LocalServers.deleteRecursively(dataDir);
        }
    }

    @Test
    void twoBrokersInOneJvmAreIndependent() throws Exception {
        // Modules run a shared broker and, in restart tests, one of their own in the same JVM.
        try (EmbeddedKafka one = new EmbeddedKafka().start(); EmbeddedKafka other = new EmbeddedKafka().start()) {
            try (Admin admin = admin(one)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
            }
            other.stop();
            try (Admin admin = admin(one)) {
                assertEquals(Set.of(TOPIC), admin.listTopics().names().get());
            }
            other.start();
            try (Admin admin = admin(other)) {
                assertEquals(Set.of(), admin.listTopics().names().get());
            }
        }
    }

    @Test
    void deletesOnlyTheDirectoryItCreated() throws Exception {
        Path given = Files.createTempDirectory("kafka-given-");
        try {
            EmbeddedKafka own = new EmbeddedKafka();
            own.close();
            assertFalse(Files.exists(own.dataDir()));

            new EmbeddedKafka(given).close();
            assertTrue(Files.exists(given));
        } finally {
            LocalServers.deleteRecursively(given);
        }
    }

    private static Admin admin(EmbeddedKafka kafka) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafka kafka) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), new StringSerializer());
    }

    /** Reads the topic from the beginning without a consumer group, so nothing is committed between reads. */
    private static List<String> readAll(EmbeddedKafka kafka, int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(TOPIC, 0);
            consumer.assign(Set.of(partition));
            consumer.seekToBeginning(Set.of(partition));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.key() + "=" + record.value());
                }
            }
        }
        return values;
    }
}
