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
import io.tunnelvision.schemas.avro.WireguardSample;
import java.net.URI;
import java.net.URLEncoder;
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
 * WireGuard samples through the real broker into the real ingest and a real PostgreSQL, rolled up and read back
 * through the HTTP API: the exact rows, the rates (none across a counter reset), the rollups, the routes' JSON,
 * and a replayed record that adds nothing. One set of records, written once for every test here.
 */
class WireguardIngestIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String HOST = "gw-wg";
    private static final String KEY_A = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
    private static final String KEY_B = "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=";
    private static final String KEY_C = "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=";
    private static final String OLD = "198.51.100.1:51820";
    private static final String NEW = "203.0.113.7:40000";
    private static final String B_ENDPOINT = "[2001:db8::9]:51820";
    /** Peer A's counters: a reset (the interface was set up again) between the 4th and 5th samples. */
    private static final long[] RX_A = {0, 1000, 3000, 6000, 500, 1500, 2500};
    private static final long[] TX_A = {0, 100, 200, 300, 50, 150, 250};
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

    private static WireguardSample sample(int s) {
        Instant at = T0.plusSeconds(10L * s);
        return TestRecords.wireguard(HOST, at, 100 + s,
                TestRecords.wgInterface("wg0",
                        TestRecords.wgPeer(KEY_A, s < 4 ? OLD : NEW, T0.minusSeconds(100), RX_A[s], TX_A[s]),
                        TestRecords.wgPeer(KEY_B, B_ENDPOINT, T0.minusSeconds(300), 100L * s, 100L * s)),
                TestRecords.wgInterface("wg1", TestRecords.wgPeer(KEY_C, null, null, 0, 0)));
    }

    @BeforeAll
    static void ingestRollUpAndServe() throws Exception {
        kafka = new IngestHarness();
        database = TestDatabase.fresh("wireguard_it");
        kafka.start(database);
        for (int s = 0; s < RX_A.length; s++) {
            kafka.send(kafka.topics.wireguardSamples, HOST, sample(s));
        }
        kafka.send(kafka.topics.wireguardSamples, HOST, sample(2)); // the same record again: a replay
        kafka.send(kafka.topics.wireguardSamples, HOST, TestRecords.wireguard(HOST, T0.plusSeconds(5), 99,
                TestRecords.wgInterface("wg0", TestRecords.wgPeer(KEY_A, OLD, null, -1, 0))));
        kafka.send(kafka.topics.wireguardSamples, HOST, TestRecords.wireguard(HOST,
                Instant.now().plus(Duration.ofDays(5 * 365)), 98, TestRecords.wgInterface("wg0",
                        TestRecords.wgPeer(KEY_A, OLD, null, 1, 1))));
        kafka.producer.flush();
        Await.until(WAIT, () -> kafka.committed(List.of(kafka.topics.wireguardSamples.name())), c -> c == 10,
                "every WireGuard record committed");
        deadLetters = readDeadLetters(2);
        kafka.stop();

        Clock clock = Clock.systemUTC();
        Rollups rollups = new Rollups(database.jdbi(), new PartitionMaintenance(database.jdbi(), Retention.DEFAULT,
                clock), clock);
        rollups.rollUpWireguard(Tier.MINUTE, T0, T0.plus(Duration.ofMinutes(2)));
        Instant hour = T0.truncatedTo(ChronoUnit.HOURS);
        rollups.rollUpWireguard(Tier.HOUR, hour, hour.plus(Duration.ofHours(1)));

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
    void everyPeerOfEverySampleIsOneRowAndTheReplayAddedNothing() {
        assertEquals(7 * 3, count("SELECT count(*) FROM wireguard_peers"));
        assertEquals(21.0, kafka.metrics.get("tunnelvision.ingest.rows").tag("kind", "metric").counter().count(),
                "rows counted as stored: the replay inserted none");
        assertEquals(8.0, kafka.counter("written"), "7 samples and the replay");
        assertEquals(List.of(0L, 1000L, 3000L, 6000L, 500L, 1500L, 2500L), longs(
                "SELECT rx_bytes FROM wireguard_peers WHERE peer_key = '" + KEY_A + "' ORDER BY ts"));
        List<Object> row = database.jdbi().withHandle(h -> h.createQuery("""
                        SELECT allowed_ips, latest_handshake, handshake_age_s, rx_bytes, tx_bytes, keepalive_s, iface,
                               endpoint FROM wireguard_peers WHERE peer_key = :key AND ts = :ts""")
                .bind("key", KEY_A).bind("ts", T0.plusSeconds(40))
                .map((rs, ctx) -> List.<Object>of(rs.getInt(1), rs.getObject(2, java.time.OffsetDateTime.class)
                        .toInstant(), rs.getInt(3), rs.getLong(4), rs.getLong(5), rs.getInt(6), rs.getString(7),
                        rs.getString(8))).one());
        assertEquals(List.of(2, T0.minusSeconds(100), 140, 500L, 50L, 25, "wg0", NEW), row);
        assertEquals(7, count("SELECT count(*) FROM wireguard_peers WHERE peer_key = '" + KEY_C
                + "' AND latest_handshake IS NULL AND handshake_age_s IS NULL AND endpoint IS NULL"));
    }

    @Test
    void aNegativeCounterAndAFutureStampAreDeadLetteredWithTheirReasonsAndStoreNothing() {
        assertEquals(2, deadLetters.size());
        assertTrue(header(deadLetters.get(0)).contains("negative counter"), header(deadLetters.get(0)));
        assertTrue(header(deadLetters.get(1)).contains("ahead of this api's clock"), header(deadLetters.get(1)));
        assertEquals(2.0, kafka.counter("dead-lettered"));
        assertEquals(1.0, kafka.metrics.get("tunnelvision.ingest.refused").tag("reason", "future").counter().count());
        assertEquals(0, count("SELECT count(*) FROM wireguard_peers WHERE ts = '" + T0.plusSeconds(5) + "'"));
    }

    @Test
    void theMinuteRollupHasRatesFromDeltasAndNoneForTheResetInterval() {
        // minute T0: intervals 0-10 (1000 B), 10-20 (2000), 20-30 (3000), 30-40 reset (none), 40-50 (1000)
        assertEquals(List.of("6|150|175.0|10.0|40.0|" + NEW, "1|160|100.0|10.0|10.0|" + NEW), rollup("_1m", KEY_A));
        assertEquals(List.of("6|350|10.0|10.0|50.0|" + B_ENDPOINT, "1|360|10.0|10.0|10.0|" + B_ENDPOINT),
                rollup("_1m", KEY_B));
        assertEquals(List.of("6|null|0.0|0.0|50.0|null", "1|null|0.0|0.0|10.0|null"), rollup("_1m", KEY_C));
        assertEquals(0, count("SELECT count(*) FROM wireguard_peers_1m WHERE rx_bytes_per_s < 0 OR tx_bytes_per_s < 0"));
    }

    @Test
    void theHourRollupWeighsEachMinuteByTheSecondsItsRateCovers() {
        // (175 B/s x 40 s + 100 B/s x 10 s) / 50 s
        assertEquals(List.of("7|160|160.0|10.0|50.0|" + NEW), rollup("_1h", KEY_A));
    }

    @Test
    void theLatestStateHasEveryPeerWithItsStatusAndTheRateOfTheLastInterval() throws Exception {
        JsonNode body = ok("/api/v1/hosts/" + HOST + "/wireguard");
        assertEquals(T0.plusSeconds(60).toString(), body.get("sampledAt").asText());
        assertEquals(180, body.get("staleAfterSeconds").asInt());
        assertEquals(2, body.get("interfaces").size());
        JsonNode wg0 = body.get("interfaces").get(0);
        assertEquals("wg0", wg0.get("name").asText());
        assertEquals(2, wg0.get("peers").size());
        JsonNode a = peer(wg0, KEY_A);
        assertEquals("xTIBA5rb…", a.get("shortKey").asText());
        assertEquals(NEW, a.get("endpoint").asText());
        assertEquals(2, a.get("allowedIps").asInt());
        assertEquals(160, a.get("handshakeAgeSeconds").asInt());
        assertEquals(T0.minusSeconds(100).toString(), a.get("latestHandshake").asText());
        assertEquals(2500, a.get("rxBytes").asLong());
        assertEquals(100.0, a.get("rxBytesPerSecond").asDouble());
        assertEquals(10.0, a.get("txBytesPerSecond").asDouble());
        assertEquals(25, a.get("persistentKeepaliveSeconds").asInt());
        assertEquals("up", a.get("status").asText());
        JsonNode b = peer(wg0, KEY_B);
        assertEquals(360, b.get("handshakeAgeSeconds").asInt());
        assertEquals("stale", b.get("status").asText());
        JsonNode c = peer(body.get("interfaces").get(1), KEY_C);
        assertEquals("never", c.get("status").asText());
        assertTrue(c.get("handshakeAgeSeconds").isNull());
        assertTrue(c.get("endpoint").isNull());
    }

    @Test
    void theRawHistoryHasARatePerIntervalNoneAcrossTheResetAndTheEndpointChange() throws Exception {
        JsonNode body = ok("/api/v1/hosts/" + HOST + "/wireguard/history?peer=" + q(KEY_A) + "&from="
                + T0 + "&to=" + T0.plusSeconds(70) + "&step=10s");
        assertEquals("raw", body.get("tier").asText());
        List<String> rates = new ArrayList<>();
        body.get("points").forEach(p -> rates.add(p.get("rxBytesPerSecond").asText() + "/"
                + p.get("handshakeAgeMaxSeconds").asInt()));
        assertEquals(List.of("null/100", "100.0/110", "200.0/120", "300.0/130", "null/140", "100.0/150",
                "100.0/160"), rates);
        JsonNode changes = body.get("endpointChanges");
        assertEquals(1, changes.size());
        assertEquals(T0.plusSeconds(40).toString(), changes.get(0).get("t").asText());
        assertEquals(OLD, changes.get(0).get("from").asText());
        assertEquals(NEW, changes.get(0).get("to").asText());
        assertEquals("wg0", changes.get(0).get("iface").asText());
    }

    @Test
    void theMinuteHistoryReadsTheRollups() throws Exception {
        JsonNode body = ok("/api/v1/hosts/" + HOST + "/wireguard/history?peer=" + q(KEY_A) + "&from=" + T0
                + "&to=" + T0.plusSeconds(120) + "&step=60s");
        assertEquals("1m", body.get("tier").asText());
        assertEquals(2, body.get("points").size());
        assertEquals(175.0, body.get("points").get(0).get("rxBytesPerSecond").asDouble());
        assertEquals(6, body.get("points").get(0).get("samples").asInt());
        assertEquals(100.0, body.get("points").get(1).get("rxBytesPerSecond").asDouble());
        // a key with '+' sent unencoded arrives with a space, which a base64 key never holds
        JsonNode c = ok("/api/v1/hosts/" + HOST + "/wireguard/history?peer=" + KEY_C + "&from=" + T0 + "&to="
                + T0.plusSeconds(120) + "&step=60s");
        assertEquals(2, c.get("points").size());
    }

    @Test
    void badParametersGetAClear400AndAnUnknownHostA404() throws Exception {
        problem("/api/v1/hosts/" + HOST + "/wireguard/history", 400, "'peer' is required");
        problem("/api/v1/hosts/" + HOST + "/wireguard/history?peer=" + q("not a key;"), 400, "not a WireGuard public key");
        problem("/api/v1/hosts/" + HOST + "/wireguard/history?peer=" + q(KEY_A) + "&step=soon", 400, "step 'soon'");
        problem("/api/v1/hosts/" + HOST + "/wireguard/history?peer=" + q(KEY_A) + "&from=" + T0 + "&to=" + T0, 400,
                "is not before");
        problem("/api/v1/hosts/gw-nobody/wireguard", 404, "no host 'gw-nobody'");
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/hosts/"
                + HOST + "/wireguard")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode());
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    /** samples|max handshake age|rx B/s|tx B/s|rx seconds|endpoint per bucket, oldest first. */
    private static List<String> rollup(String suffix, String key) {
        return database.jdbi().withHandle(h -> h.createQuery("SELECT samples, handshake_age_max_s, rx_bytes_per_s,"
                        + " tx_bytes_per_s, rx_seconds, endpoint FROM wireguard_peers" + suffix
                        + " WHERE peer_key = :key ORDER BY ts")
                .bind("key", key)
                .map((rs, ctx) -> rs.getObject(1) + "|" + rs.getObject(2) + "|" + rs.getObject(3) + "|"
                        + rs.getObject(4) + "|" + rs.getObject(5) + "|" + rs.getObject(6))
                .list());
    }

    private static long count(String sql) {
        return TestDatabase.count(database, sql);
    }

    private static List<Long> longs(String sql) {
        return database.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).list());
    }

    private static String base() {
        return "http://localhost:" + server.port();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path)).header("Authorization", "Bearer " + TOKEN)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode ok(String path) throws Exception {
        HttpResponse<String> response = get(path);
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private static void problem(String path, int status, String says) throws Exception {
        HttpResponse<String> response = get(path);
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
        String detail = JSON.readTree(response.body()).get("detail").asText();
        assertTrue(detail.contains(says), detail);
    }

    private static JsonNode peer(JsonNode iface, String key) {
        for (JsonNode p : iface.get("peers")) {
            if (p.get("publicKey").asText().equals(key)) {
                return p;
            }
        }
        throw new AssertionError("no peer " + key + " in " + iface);
    }

    private static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
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
        records.sort((a, b) -> Long.compare(offset(a), offset(b)));
        return records;
    }

    private static long offset(ConsumerRecord<byte[], byte[]> record) {
        return Long.parseLong(new String(record.headers().lastHeader(IngestConsumer.HEADER_OFFSET).value(),
                StandardCharsets.UTF_8));
    }

    private static String header(ConsumerRecord<byte[], byte[]> record) {
        return new String(record.headers().lastHeader(IngestConsumer.HEADER_ERROR).value(), StandardCharsets.UTF_8);
    }
}
