package io.tunnelvision.api.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tunnelvision.api.Await;
import io.tunnelvision.api.TestDatabase;
import io.tunnelvision.api.db.Database;
import io.tunnelvision.api.db.PartitionMaintenance;
import io.tunnelvision.api.db.Retention;
import io.tunnelvision.api.db.Rollups;
import io.tunnelvision.api.http.ApiServer;
import io.tunnelvision.api.http.ApiToken;
import io.tunnelvision.api.http.DecisionPublisher;
import io.tunnelvision.api.http.Health;
import io.tunnelvision.schemas.topic.Topic;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The set-up every sample family's ingest IT shares: its own topics on the shared broker and its own schema on the
 * shared PostgreSQL with the real ingest consumer between them; then, once the records are in, the rollups and the
 * HTTP API over the same schema with a viewer token, and the requests and dead letters the tests read.
 */
final class SampleIngestFixture implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    final IngestHarness kafka = new IngestHarness();
    final Database database;
    private final String token = "viewer-" + UUID.randomUUID();
    private final HttpClient http = HttpClient.newHttpClient();
    private ApiServer server;

    /** Starts ingesting into a fresh schema named after {@code schemaPrefix}. */
    SampleIngestFixture(String schemaPrefix) {
        database = TestDatabase.fresh(schemaPrefix);
        kafka.start(database);
    }

    /** A whole minute about ten minutes back whose next two minutes are in the same hour. */
    static Instant recentMinute() {
        Instant t = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(10));
        return t.plus(Duration.ofMinutes(3)).truncatedTo(ChronoUnit.HOURS).isAfter(t.truncatedTo(ChronoUnit.HOURS))
                ? t.minus(Duration.ofMinutes(5)) : t;
    }

    <V> void send(Topic<String, V> topic, String host, V value) {
        kafka.send(topic, host, value);
    }

    /**
     * Waits until the consumer has committed {@code records} on {@code topics} (stored or dead-lettered), reads the
     * {@code deadLetters} expected, oldest source offset first, and stops the consumer.
     */
    List<ConsumerRecord<byte[], byte[]>> ingest(long records, int deadLetters, Topic<?, ?>... topics)
            throws Exception {
        kafka.producer.flush();
        List<String> names = Arrays.stream(topics).map(Topic::name).toList();
        Await.until(WAIT, () -> kafka.committed(names), c -> c == records, records + " records of " + names
                + " committed");
        List<ConsumerRecord<byte[], byte[]>> read = readDeadLetters(deadLetters);
        kafka.stop();
        return read;
    }

    Rollups rollups() {
        Clock clock = Clock.systemUTC();
        return new Rollups(database.jdbi(), new PartitionMaintenance(database.jdbi(), Retention.DEFAULT, clock),
                clock);
    }

    /** Starts the HTTP API over the schema; requests carry a viewer's token. */
    void serve() throws Exception {
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(token.getBytes(StandardCharsets.UTF_8)));
        server = new ApiServer(new ApiServer.Parts(database.jdbi(), Retention.DEFAULT, Clock.systemUTC(),
                ApiToken.parseAll("it:viewer:" + hash), DecisionPublisher.withoutKey("not in this test"),
                new Health(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))).start(0);
    }

    String base() {
        return "http://localhost:" + server.port();
    }

    long count(String sql) {
        return TestDatabase.count(database, sql);
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path)).header("Authorization", "Bearer " + token)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> anonymous(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The JSON of a 200 answer; fails on any other status. */
    JsonNode ok(String path) throws Exception {
        HttpResponse<String> response = get(path);
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    /** Asserts an RFC 9457 problem of {@code status} whose detail says {@code says}. */
    void problem(String path, int status, String says) throws Exception {
        HttpResponse<String> response = get(path);
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
        String detail = JSON.readTree(response.body()).get("detail").asText();
        assertTrue(detail.contains(says), detail);
    }

    /** Why a dead letter was refused ({@link IngestConsumer#HEADER_ERROR}). */
    static String error(ConsumerRecord<byte[], byte[]> record) {
        return header(record, IngestConsumer.HEADER_ERROR);
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
        records.sort(Comparator.comparingLong(r -> Long.parseLong(header(r, IngestConsumer.HEADER_OFFSET))));
        return records;
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        kafka.close();
    }
}
