package io.tunnelvision.api.ingest;

import static io.tunnelvision.api.TestDatabase.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.api.Await;
import io.tunnelvision.api.TestDatabase;
import io.tunnelvision.api.TestRecords;
import io.tunnelvision.api.db.Database;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.HotspotState;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.LinkRates;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ingest consumer against the real broker and a real PostgreSQL. */
class IngestConsumerIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(300);

    private IngestHarness kafka;
    private Database database;

    @BeforeEach
    void setUp() {
        kafka = new IngestHarness();
        database = TestDatabase.fresh("ingest_consumer_it");
    }

    @AfterEach
    void tearDown() throws Exception {
        kafka.close();
    }

    @Test
    void everyRecordIsStoredOnceEvenWhenPublishedTwiceAndOffsetsAreCommittedAfterwards() throws Exception {
        kafka.start(database);
        for (int copy = 0; copy < 2; copy++) {
            for (int s = 0; s < 30; s++) {
                for (String host : List.of("gw-1", "gw-2", "gw-3")) {
                    kafka.send(kafka.topics.linkRates, host, TestRecords.link(host, T0.plusSeconds(s), s, s, "tun0", "eth0"));
                    kafka.send(kafka.topics.softnetRates, host, TestRecords.softnet(host, T0.plusSeconds(s), s, 4, s));
                }
            }
            kafka.send(kafka.topics.hotspots, "gw-1", TestRecords.hotspot("hs-1", "gw-1",
                    HotspotType.SOFTNET_SQUEEZE, HotspotState.OPEN, T0, T0));
            kafka.send(kafka.topics.commands, "gw-1", TestRecords.command("cmd-1", "gw-1", T0));
            kafka.send(kafka.topics.commandResults, "gw-1", TestRecords.result("cmd-1", "gw-1",
                    CommandStatus.APPLIED, T0.plusSeconds(5)));
        }
        kafka.producer.flush();

        Await.until(WAIT, () -> kafka.committed(List.of(kafka.topics.linkRates.name())),
                c -> c == 180, "all link records committed");
        Await.until(WAIT, () -> kafka.counter("written"), c -> c >= 366, "every record written");

        assertEquals(3 * 30 * 2, count(database, "SELECT count(*) FROM link_rates"));
        assertEquals(3 * 30, count(database, "SELECT count(*) FROM softnet_rates"));
        assertEquals(1, count(database, "SELECT count(*) FROM hotspots"));
        assertEquals(1, count(database, "SELECT count(*) FROM commands"));
        assertEquals(1, count(database, "SELECT count(*) FROM command_results"));
        assertEquals(3, count(database, "SELECT count(*) FROM hosts"));
        assertEquals(0.0, kafka.counter("dead-lettered"));
    }

    @Test
    void poisonRecordsAreCountedAndDeadLetteredAndTheRestIsStored() throws Exception {
        kafka.start(database);
        kafka.producer.send(new ProducerRecord<>(kafka.topics.linkRates.name(), "gw-1".getBytes(StandardCharsets.UTF_8),
                "not avro at all".getBytes(StandardCharsets.UTF_8)));
        kafka.send(kafka.topics.linkRates, "gw-1", TestRecords.link("", T0, 1, 1, "tun0"));
        kafka.send(kafka.topics.linkRates, "gw-1", TestRecords.link("gw-1", T0, 1, 1, "tun\u00000"));
        kafka.send(kafka.topics.linkRates, "gw-1", TestRecords.link("gw-1", T0.plusSeconds(1), 2, 1, "tun0"));
        kafka.producer.flush();

        List<ConsumerRecord<byte[], byte[]>> dead = readDeadLetters(3);
        Await.until(WAIT, () -> count(database, "SELECT count(*) FROM link_rates"), c -> c == 1, "the good record");

        assertEquals(3, dead.size());
        assertEquals(3.0, kafka.counter("dead-lettered"));
        assertEquals("not avro at all", new String(dead.get(0).value(), StandardCharsets.UTF_8),
                "dead letters keep the bytes as they arrived");
        for (ConsumerRecord<byte[], byte[]> record : dead) {
            assertEquals(kafka.topics.linkRates.name(), header(record, IngestConsumer.HEADER_TOPIC));
            assertTrue(header(record, IngestConsumer.HEADER_ERROR).length() > 5, header(record, IngestConsumer.HEADER_ERROR));
        }
        assertTrue(header(dead.get(1), IngestConsumer.HEADER_ERROR).contains("host id"),
                header(dead.get(1), IngestConsumer.HEADER_ERROR));
        Await.until(WAIT, () -> kafka.committed(List.of(kafka.topics.linkRates.name())), c -> c == 4,
                "offsets of poison and good records committed");
    }

    @Test
    void aRecordStampedYearsAheadIsRefusedCountedAndDeadLetteredWithoutAPartition() throws Exception {
        // Given a host whose clock reads five years ahead, and a sound one
        kafka.start(database);
        Instant years = Instant.now().plus(Duration.ofDays(5 * 365));
        kafka.send(kafka.topics.linkRates, "gw-skewed", TestRecords.link("gw-skewed", years, 1, 1, "tun0"));
        kafka.send(kafka.topics.linkRates, "gw-1", TestRecords.link("gw-1", T0, 1, 1, "tun0"));
        kafka.producer.flush();

        // When ingest has read both
        List<ConsumerRecord<byte[], byte[]>> dead = readDeadLetters(1);
        Await.until(WAIT, () -> count(database, "SELECT count(*) FROM link_rates"), c -> c == 1, "the sound record");
        Await.until(WAIT, () -> kafka.committed(List.of(kafka.topics.linkRates.name())), c -> c == 2,
                "both offsets committed");

        // Then the skewed record is refused with the reason, counted, kept in the dead-letter topic, and has no
        // partition and no host row
        assertEquals(1, dead.size());
        String reason = header(dead.get(0), IngestConsumer.HEADER_ERROR);
        assertTrue(reason.contains("ahead of this api's clock") && reason.contains("TUNNELVISION_API_MAX_FUTURE"),
                reason);
        assertEquals(1.0, kafka.metrics.get("tunnelvision.ingest.refused").tag("reason", "future").counter().count());
        assertEquals(1.0, kafka.counter("dead-lettered"));
        assertEquals(List.of("gw-1"), database.jdbi().withHandle(h -> h.createQuery("SELECT host_id FROM hosts")
                .mapTo(String.class).list()));
        String year = years.toString().substring(0, 4);
        assertEquals(0, count(database, """
                SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE c.relname LIKE '%\\_p""" + year + "%' AND c.relnamespace = current_schema()::regnamespace"),
                "no partition of any table for " + year);
    }

    @Test
    void recordsOfAbortedTransactionsAreNeverStored() throws Exception {
        kafka.start(database);
        try (KafkaProducer<byte[], byte[]> transactional = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-tx-" + UUID.randomUUID()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            transactional.initTransactions();
            transactional.beginTransaction();
            transactional.send(linkRecord("gw-aborted", T0));
            transactional.flush();
            transactional.abortTransaction();
            transactional.beginTransaction();
            transactional.send(linkRecord("gw-committed", T0));
            transactional.commitTransaction();
        }

        Await.until(WAIT, () -> count(database, "SELECT count(*) FROM hosts"), c -> c >= 1, "the committed record");
        Thread.sleep(1000);

        assertEquals(List.of("gw-committed"), database.jdbi().withHandle(h -> h.createQuery(
                "SELECT host_id FROM hosts").mapTo(String.class).list()));
    }

    @Test
    void aRestartedConsumerGoesOnFromTheCommittedOffsetsWithoutLosingOrDoublingRows() throws Exception {
        kafka.start(database);
        for (int s = 0; s < 20; s++) {
            kafka.send(kafka.topics.kernelRates, "gw-1", TestRecords.kernel("gw-1", T0.plusSeconds(s), s, s));
        }
        kafka.producer.flush();
        Await.until(WAIT, () -> count(database, "SELECT count(*) FROM kernel_rates"), c -> c == 20, "first half");
        kafka.stop();

        for (int s = 20; s < 40; s++) {
            kafka.send(kafka.topics.kernelRates, "gw-1", TestRecords.kernel("gw-1", T0.plusSeconds(s), s, s));
        }
        kafka.producer.flush();
        kafka.start(database);

        Await.until(WAIT, () -> count(database, "SELECT count(*) FROM kernel_rates"), c -> c == 40, "second half");
        Await.until(WAIT, () -> kafka.committed(List.of(kafka.topics.kernelRates.name())), c -> c == 40, "offsets");
    }

    private ProducerRecord<byte[], byte[]> linkRecord(String host, Instant t) {
        LinkRates value = TestRecords.link(host, t, 1, 1, "tun0");
        return new ProducerRecord<>(kafka.topics.linkRates.name(), host.getBytes(StandardCharsets.UTF_8),
                kafka.topics.linkRates.valueSerde().serializer().serialize(kafka.topics.linkRates.name(), value));
    }

    private List<ConsumerRecord<byte[], byte[]>> readDeadLetters(int expected) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "dlt-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(kafka.topics.deadLetters.name()));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        records.sort((a, b) -> Long.compare(Long.parseLong(header(a, IngestConsumer.HEADER_OFFSET)),
                Long.parseLong(header(b, IngestConsumer.HEADER_OFFSET))));
        return records;
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
