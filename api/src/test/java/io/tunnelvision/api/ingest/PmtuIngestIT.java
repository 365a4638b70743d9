package io.tunnelvision.api.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tunnelvision.api.Await;
import io.tunnelvision.api.TestDatabase;
import io.tunnelvision.api.TestRecords;
import io.tunnelvision.api.db.Database;
import io.tunnelvision.api.db.PartitionMaintenance;
import io.tunnelvision.api.db.Retention;
import io.tunnelvision.api.db.Rollups;
import io.tunnelvision.api.db.Tier;
import io.tunnelvision.api.http.ApiServer;
import io.tunnelvision.api.http.ApiToken;
import io.tunnelvision.api.http.DecisionPublisher;
import io.tunnelvision.api.http.Health;
import io.tunnelvision.schemas.avro.PmtuPath;
import io.tunnelvision.schemas.avro.PmtuSample;
import io.tunnelvision.schemas.avro.PmtuStep;
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
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Path-MTU samples through the real broker into the real ingest and a real PostgreSQL (embedded), rolled up and read
 * back through the HTTP API: the rows with the rules' black-hole judgement, the rollups' worst sizes, the routes'
 * JSON, a replay that adds nothing and a corrupt size dead-lettered. The sizes are the lab's (PmtuBlackholeLabIT):
 * wg0 at 1420 over a router at 1400 whose ICMP is dropped passes 1328; after the remedy wg0 is at 1320 and all passes.
 */
class PmtuIngestIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String HOST = "gw-pmtu";
    private static final String TOKEN = "viewer-" + UUID.randomUUID();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A whole minute, ten minutes back, with the next two minutes in the same hour. */
    private static final Instant T0 = start();

    private static IngestHarness kafka;
    private static Database database;
    private static ApiServer server;
    private static HttpClient http;
    private static List<ConsumerRecord<byte[], byte[]>> deadLetters;

    private static Instant start() {
        Instant t = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(10));
        return t.plus(Duration.ofMinutes(3)).truncatedTo(ChronoUnit.HOURS).isAfter(t.truncatedTo(ChronoUnit.HOURS))
                ? t.minus(Duration.ofMinutes(5)) : t;
    }

    private static PmtuPath path(String peer, String address, int mtu, Integer passed, Integer failed,
                                 Integer reported) {
        return new PmtuPath(peer, "wg0", address, mtu, List.of(new PmtuStep(1280, 1, passed == null ? 0 : 1)),
                passed, failed, reported);
    }

    /** Samples 0-5 in the first minute with wg0 at 1420 (black-holed), 6-8 in the second with wg0 at 1320. */
    private static PmtuSample sample(int s) {
        boolean remedied = s >= 6;
        return new PmtuSample(TestRecords.sampleHeader(HOST, T0.plusSeconds(10L * s), 100 + s), List.of(
                remedied ? path("gw-far", "10.9.0.2:0", 1320, 1320, null, null)
                        : path("gw-far", "10.9.0.2:0", 1420, 1328, 1329, null),
                path("gw-near", "10.9.0.3:0", remedied ? 1320 : 1420, 1300, 1400, 1300)));
    }

    @BeforeAll
    static void ingestRollUpAndServe() throws Exception {
        kafka = new IngestHarness();
        database = TestDatabase.fresh("pmtu_it");
        kafka.start(database);
        for (int s = 0; s < 9; s++) {
            kafka.send(kafka.topics.pmtuSamples, HOST, sample(s));
        }
        kafka.send(kafka.topics.pmtuSamples, HOST, sample(2)); // the same record again: a replay
        kafka.send(kafka.topics.pmtuSamples, HOST, new PmtuSample(TestRecords.sampleHeader(HOST, T0.plusSeconds(5), 99),
                List.of(path("gw-far", "10.9.0.2:0", 1420, 1328, 90_000, null))));
        kafka.producer.flush();
        Await.until(WAIT, () -> kafka.committed(List.of(kafka.topics.pmtuSamples.name())), c -> c == 11,
                "every path-MTU record committed");
        deadLetters = readDeadLetters(1);
        kafka.stop();

        Clock clock = Clock.systemUTC();
        Rollups rollups = new Rollups(database.jdbi(), new PartitionMaintenance(database.jdbi(), Retention.DEFAULT,
                clock), clock);
        rollups.rollUpPmtu(Tier.MINUTE, T0, T0.plus(Duration.ofMinutes(2)));
        Instant hour = T0.truncatedTo(ChronoUnit.HOURS);
        rollups.rollUpPmtu(Tier.HOUR, hour, hour.plus(Duration.ofHours(1)));

        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(TOKEN.getBytes(StandardCharsets.UTF_8)));
        server = new ApiServer(new ApiServer.Parts(database.jdbi(), Retention.DEFAULT, clock,
                ApiToken.parseAll("it:viewer:" + hash), DecisionPublisher.withoutKey("not in this test"),
                new Health(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))).start(0);
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void everyPathOfEverySampleIsOneRowJudgedAsTheRulesDoAndTheReplayAddedNothing() {
        assertEquals(9 * 2, count("SELECT count(*) FROM pmtu_paths"));
        assertEquals(18.0, kafka.metrics.get("tunnelvision.ingest.rows").tag("kind", "metric").counter().count(),
                "rows counted as stored: the replay inserted none");
        assertEquals(6, count("SELECT count(*) FROM pmtu_paths WHERE blackholed"), "gw-far before the remedy");
        assertEquals(6, count("SELECT count(*) FROM pmtu_paths WHERE blackholed AND peer = 'gw-far'"
                + " AND tunnel_mtu = 1420 AND largest_passed = 1328 AND smallest_failed = 1329 AND reported_mtu IS NULL"));
        assertEquals(9, count("SELECT count(*) FROM pmtu_paths WHERE peer = 'gw-near' AND NOT blackholed"
                + " AND reported_mtu = 1300"), "a router that reports its MTU is no black hole");
    }

    @Test
    void aSizeNoPacketCanHaveIsDeadLetteredWithItsReasonAndStoresNothing() {
        assertEquals(1, deadLetters.size());
        String reason = new String(deadLetters.get(0).headers().lastHeader(IngestConsumer.HEADER_ERROR).value(),
                StandardCharsets.UTF_8);
        assertTrue(reason.contains("outside 1..65535") && reason.contains("smallest failed 90000"), reason);
        assertEquals(1.0, kafka.counter("dead-lettered"));
        assertEquals(0, count("SELECT count(*) FROM pmtu_paths WHERE ts = '" + T0.plusSeconds(5) + "'"));
    }

    @Test
    void theRollupsKeepTheWorstSizesAndCountTheBlackHoledSamples() {
        // samples|black-holed|tunnel MTU (last)|largest passed min|smallest failed min|reported min per bucket
        assertEquals(List.of("6|6|1420|1328|1329|null", "3|0|1320|1320|null|null"), rollup("_1m", "gw-far"));
        assertEquals(List.of("9|6|1320|1320|1329|null"), rollup("_1h", "gw-far"));
        assertEquals(List.of("9|0|1320|1300|1400|1300"), rollup("_1h", "gw-near"));
    }

    @Test
    void theLatestProbingHasEveryPathWithItsStatus() throws Exception {
        JsonNode body = ok("/api/v1/hosts/" + HOST + "/pmtu");
        assertEquals(T0.plusSeconds(80).toString(), body.get("sampledAt").asText());
        JsonNode paths = body.get("paths");
        assertEquals(2, paths.size());
        assertEquals("gw-far", paths.get(0).get("peer").asText());
        assertEquals("wg0", paths.get(0).get("iface").asText());
        assertEquals(1320, paths.get(0).get("tunnelMtu").asInt());
        assertEquals(1320, paths.get(0).get("largestPassed").asInt());
        assertTrue(paths.get(0).get("smallestFailed").isNull());
        assertEquals("ok", paths.get(0).get("status").asText());
        assertEquals("reported", paths.get(1).get("status").asText());
        assertEquals(1300, paths.get(1).get("reportedMtu").asInt());
    }

    @Test
    void theHistoryShowsTheBlackHoleAndItsEnd() throws Exception {
        JsonNode raw = ok("/api/v1/hosts/" + HOST + "/pmtu/history?from=" + T0 + "&to=" + T0.plusSeconds(90)
                + "&step=30s&iface=wg0");
        assertEquals("raw", raw.get("tier").asText());
        List<String> far = new ArrayList<>();
        raw.get("points").forEach(p -> {
            if (p.get("peer").asText().equals("gw-far")) {
                far.add(p.get("blackholedSamples").asInt() + "/" + p.get("samples").asInt() + "@"
                        + p.get("tunnelMtu").asInt());
            }
        });
        assertEquals(List.of("3/3@1420", "3/3@1420", "0/3@1320"), far);
        JsonNode minutes = ok("/api/v1/hosts/" + HOST + "/pmtu/history?from=" + T0 + "&to=" + T0.plusSeconds(120)
                + "&step=60s");
        assertEquals("1m", minutes.get("tier").asText());
        assertEquals(4, minutes.get("points").size(), "two paths, two minutes");
        problem("/api/v1/hosts/gw-nobody/pmtu", 404, "no host 'gw-nobody'");
        problem("/api/v1/hosts/" + HOST + "/pmtu/history?step=soon", 400, "step 'soon'");
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private static List<String> rollup(String suffix, String peer) {
        return database.jdbi().withHandle(h -> h.createQuery("SELECT samples, blackholed_samples, tunnel_mtu,"
                        + " largest_passed_min, smallest_failed_min, reported_mtu_min FROM pmtu_paths" + suffix
                        + " WHERE peer = :peer ORDER BY ts")
                .bind("peer", peer)
                .map((rs, ctx) -> rs.getObject(1) + "|" + rs.getObject(2) + "|" + rs.getObject(3) + "|"
                        + rs.getObject(4) + "|" + rs.getObject(5) + "|" + rs.getObject(6))
                .list());
    }

    private static long count(String sql) {
        return TestDatabase.count(database, sql);
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + path))
                .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode ok(String path) throws Exception {
        HttpResponse<String> response = get(path);
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private static void problem(String path, int status, String says) throws Exception {
        HttpResponse<String> response = get(path);
        assertEquals(status, response.statusCode(), response.body());
        String detail = JSON.readTree(response.body()).get("detail").asText();
        assertTrue(detail.contains(says), detail);
    }

    private static List<ConsumerRecord<byte[], byte[]>> readDeadLetters(int expected) {
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
        return records;
    }
}
