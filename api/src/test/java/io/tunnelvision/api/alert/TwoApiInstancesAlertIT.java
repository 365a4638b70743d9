package io.tunnelvision.api.alert;

import static io.tunnelvision.api.TestDatabase.count;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tunnelvision.api.Await;
import io.tunnelvision.api.KafkaClients;
import io.tunnelvision.api.TestDatabase;
import io.tunnelvision.api.TestRecords;
import io.tunnelvision.api.db.Database;
import io.tunnelvision.api.db.PartitionMaintenance;
import io.tunnelvision.api.db.Retention;
import io.tunnelvision.api.db.RowSink;
import io.tunnelvision.api.ingest.Backoff;
import io.tunnelvision.api.ingest.IngestConsumer;
import io.tunnelvision.api.ingest.IngestWriter;
import io.tunnelvision.embedded.fixture.SharedKafka;
import io.tunnelvision.schemas.avro.Hotspot;
import io.tunnelvision.schemas.avro.HotspotState;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.Severity;
import io.tunnelvision.schemas.topic.TopicCreator;
import io.tunnelvision.schemas.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two api instances (ingest in one consumer group, a sender per target each) on one database and a real broker:
 * every hotspot transition reaches Alertmanager and the webhook exactly once, although every record is published
 * twice and one instance is replaced mid-way (a rebalance).
 */
class TwoApiInstancesAlertIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int HOTSPOTS = 12;

    private final String bootstrap = SharedKafka.get().bootstrapServers();
    private final Topics topics = Topics.inNamespace("alerts-" + UUID.randomUUID().toString().substring(0, 8));
    private final String group = "alerts-group-" + UUID.randomUUID().toString().substring(0, 8);
    private final Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
    private Database database;
    private AlertReceiver receiver;
    private Producer<byte[], byte[]> producer;
    private final List<Instance> instances = new ArrayList<>();

    /** What one api instance runs for alerts: ingest with its recorder, and the senders. */
    private final class Instance implements AutoCloseable {
        final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        final Alerts alerts;
        final IngestConsumer consumer;
        final Thread thread;

        Instance(String name) {
            AlertSettings settings = new AlertSettings(Optional.of(receiver.alertmanager()),
                    Optional.of(receiver.webhook()), Optional.of(WebhookSecret.of("two-instances-secret-0123")),
                    Optional.of("http://tv.test"), Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofHours(24),
                    Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofMillis(50), Duration.ofSeconds(5));
            alerts = new Alerts(database.jdbi(), settings, metrics, Clock.systemUTC());
            IngestWriter writer = new IngestWriter(database.jdbi(),
                    new PartitionMaintenance(database.jdbi(), Retention.DEFAULT, Clock.systemUTC()),
                    RowSink.multiRowInsert(), alerts.recorder());
            KafkaClients clients = new KafkaClients(bootstrap);
            consumer = new IngestConsumer(clients.ingestConsumer(group), clients.deadLetterProducer(), topics, writer,
                    new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1)), metrics);
            thread = new Thread(consumer, "it-ingest-" + name);
            thread.start();
            alerts.start();
        }

        double sent(String target) {
            return metrics.get("tunnelvision.alert.deliveries").tag("target", target).tag("result", "sent").counter()
                    .count();
        }

        @Override
        public void close() throws InterruptedException {
            consumer.close();
            thread.join(15_000);
            alerts.close();
        }
    }

    @BeforeEach
    void setUp() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            new TopicCreator(admin).ensure(topics.all());
        }
        database = TestDatabase.fresh("two_api_alerts_it");
        receiver = new AlertReceiver();
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1, ProducerConfig.LINGER_MS_CONFIG, 5),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Instance i : instances) {
            i.close();
        }
        producer.close();
        receiver.close();
        database.close();
    }

    private void publishTwice(HotspotState state, Severity severity, int second) {
        for (int copy = 0; copy < 2; copy++) {
            for (int i = 0; i < HOTSPOTS; i++) {
                String host = "gw-" + i;
                Hotspot h = TestRecords.hotspot("hs-" + i, host, HotspotType.SOFTNET_SQUEEZE, state, t0,
                        t0.plusSeconds(second));
                h.setSeverity(severity);
                producer.send(new ProducerRecord<>(topics.hotspots.name(), host.getBytes(StandardCharsets.UTF_8),
                        topics.hotspots.valueSerde().serializer().serialize(topics.hotspots.name(), h)));
            }
        }
        producer.flush();
    }

    private Instance start(String name) {
        Instance instance = new Instance(name);
        instances.add(instance);
        return instance;
    }

    @Test
    void everyTransitionIsDeliveredExactlyOnceByTwoInstancesThroughARebalance() throws Exception {
        Instance a = start("a");
        Instance b = start("b");

        publishTwice(HotspotState.OPEN, Severity.WARNING, 0);
        Await.until(WAIT, receiver::webhookEvents, e -> e.size() >= HOTSPOTS, "the opened hotspots");
        instances.remove(a);
        a.close();
        // read once it stopped: a delivery the receiver has is counted only after the request returns
        double sentByA = a.sent(AlertSettings.WEBHOOK);
        Instance c = start("c");

        publishTwice(HotspotState.OPEN, Severity.CRITICAL, 5);
        publishTwice(HotspotState.CLOSED, Severity.CRITICAL, 9);
        List<JsonNode> events = Await.until(WAIT, receiver::webhookEvents, e -> e.size() >= 3 * HOTSPOTS,
                "opened, escalated and closed of every hotspot");
        Await.until(WAIT, receiver::alertmanagerAlerts, e -> e.size() >= 4 * HOTSPOTS,
                "fired, escalated (two alerts) and resolved of every hotspot");
        Thread.sleep(2_000);

        events = receiver.webhookEvents();
        Map<String, Long> perKey = events.stream().collect(Collectors.groupingBy(e -> e.get("dedupeKey").asText(),
                TreeMap::new, Collectors.counting()));
        assertEquals(3 * HOTSPOTS, perKey.size(), "every transition: " + perKey.keySet());
        assertEquals(Map.of(), perKey.entrySet().stream().filter(e -> e.getValue() != 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), "sent more than once");
        for (int i = 0; i < HOTSPOTS; i++) {
            String key = "hotspot:hs-" + i;
            assertEquals(List.of("hotspot.opened", "hotspot.escalated", "hotspot.closed"), events.stream()
                    .filter(e -> e.get("alertKey").asText().equals(key)).map(e -> e.get("event").asText()).toList(),
                    "in order for " + key);
        }
        Map<String, Long> alerts = receiver.alertmanagerAlerts().stream().collect(Collectors.groupingBy(
                (Function<JsonNode, String>) al -> al.get("labels").get("hotspot").asText() + " "
                        + al.get("labels").get("severity").asText() + " "
                        + (Instant.parse(al.get("endsAt").asText()).isAfter(
                                Instant.parse(al.get("receivedAt").asText())) ? "firing" : "resolved"),
                TreeMap::new, Collectors.counting()));
        assertEquals(4 * HOTSPOTS, alerts.size(), alerts.toString());
        assertEquals(List.of(1L), alerts.values().stream().distinct().toList(), alerts.toString());
        assertEquals(3.0 * HOTSPOTS, sentByA + b.sent(AlertSettings.WEBHOOK) + c.sent(AlertSettings.WEBHOOK),
                "the instances' counters add up to the deliveries");
        assertEquals(3 * HOTSPOTS, count(database, "SELECT count(*) FROM alert_events"));
        assertEquals(0, count(database, "SELECT count(*) FROM alert_deliveries WHERE delivered_at IS NULL"));
    }
}
