package io.tunnelvision.api.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunnelvision.api.TestRecords;
import io.tunnelvision.api.db.Tier;
import io.tunnelvision.schemas.avro.WireguardSample;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * WireGuard samples through the real broker into the real ingest and a real PostgreSQL, rolled up and read back
 * through the HTTP API: the exact rows, the rates (none across a counter reset), the rollups, the routes' JSON,
 * and a replayed record that adds nothing. One set of records, written once for every test here.
 */
class WireguardIngestIT {

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
    /** A whole minute, ten minutes back, with the next two minutes in the same hour. */
    private static final Instant T0 = SampleIngestFixture.recentMinute();

    private static SampleIngestFixture it;
    private static List<ConsumerRecord<byte[], byte[]>> deadLetters;

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
        it = new SampleIngestFixture("wireguard_it");
        for (int s = 0; s < RX_A.length; s++) {
            it.send(it.kafka.topics.wireguardSamples, HOST, sample(s));
        }
        it.send(it.kafka.topics.wireguardSamples, HOST, sample(2)); // the same record again: a replay
        it.send(it.kafka.topics.wireguardSamples, HOST, TestRecords.wireguard(HOST, T0.plusSeconds(5), 99,
                TestRecords.wgInterface("wg0", TestRecords.wgPeer(KEY_A, OLD, null, -1, 0))));
        it.send(it.kafka.topics.wireguardSamples, HOST, TestRecords.wireguard(HOST,
                Instant.now().plus(Duration.ofDays(5 * 365)), 98, TestRecords.wgInterface("wg0",
                        TestRecords.wgPeer(KEY_A, OLD, null, 1, 1))));
        deadLetters = it.ingest(10, 2, it.kafka.topics.wireguardSamples);

        it.rollups().rollUpWireguard(Tier.MINUTE, T0, T0.plus(Duration.ofMinutes(2)));
        Instant hour = T0.truncatedTo(ChronoUnit.HOURS);
        it.rollups().rollUpWireguard(Tier.HOUR, hour, hour.plus(Duration.ofHours(1)));

        it.serve();
    }

    @AfterAll
    static void stop() {
        if (it != null) {
            it.close();
        }
    }

    @Test
    void everyPeerOfEverySampleIsOneRowAndTheReplayAddedNothing() {
        assertEquals(7 * 3, it.count("SELECT count(*) FROM wireguard_peers"));
        assertEquals(21.0, it.kafka.metrics.get("tunnelvision.ingest.rows").tag("kind", "metric").counter().count(),
                "rows counted as stored: the replay inserted none");
        assertEquals(8.0, it.kafka.counter("written"), "7 samples and the replay");
        assertEquals(List.of(0L, 1000L, 3000L, 6000L, 500L, 1500L, 2500L), longs(
                "SELECT rx_bytes FROM wireguard_peers WHERE peer_key = '" + KEY_A + "' ORDER BY ts"));
        List<Object> row = it.database.jdbi().withHandle(h -> h.createQuery("""
                        SELECT allowed_ips, latest_handshake, handshake_age_s, rx_bytes, tx_bytes, keepalive_s, iface,
                               endpoint FROM wireguard_peers WHERE peer_key = :key AND ts = :ts""")
                .bind("key", KEY_A).bind("ts", T0.plusSeconds(40))
                .map((rs, ctx) -> List.<Object>of(rs.getInt(1), rs.getObject(2, java.time.OffsetDateTime.class)
                        .toInstant(), rs.getInt(3), rs.getLong(4), rs.getLong(5), rs.getInt(6), rs.getString(7),
                        rs.getString(8))).one());
        assertEquals(List.of(2, T0.minusSeconds(100), 140, 500L, 50L, 25, "wg0", NEW), row);
        assertEquals(7, it.count("SELECT count(*) FROM wireguard_peers WHERE peer_key = '" + KEY_C
                + "' AND latest_handshake IS NULL AND handshake_age_s IS NULL AND endpoint IS NULL"));
    }

    @Test
    void aNegativeCounterAndAFutureStampAreDeadLetteredWithTheirReasonsAndStoreNothing() {
        assertEquals(2, deadLetters.size());
        assertTrue(SampleIngestFixture.error(deadLetters.get(0)).contains("negative counter"), SampleIngestFixture.error(deadLetters.get(0)));
        assertTrue(SampleIngestFixture.error(deadLetters.get(1)).contains("ahead of this api's clock"), SampleIngestFixture.error(deadLetters.get(1)));
        assertEquals(2.0, it.kafka.counter("dead-lettered"));
        assertEquals(1.0, it.kafka.metrics.get("tunnelvision.ingest.refused").tag("reason", "future").counter().count());
        assertEquals(0, it.count("SELECT count(*) FROM wireguard_peers WHERE ts = '" + T0.plusSeconds(5) + "'"));
    }

    @Test
    void theMinuteRollupHasRatesFromDeltasAndNoneForTheResetInterval() {
        // minute T0: intervals 0-10 (1000 B), 10-20 (2000), 20-30 (3000), 30-40 reset (none), 40-50 (1000)
        assertEquals(List.of("6|150|175.0|10.0|40.0|" + NEW, "1|160|100.0|10.0|10.0|" + NEW), rollup("_1m", KEY_A));
        assertEquals(List.of("6|350|10.0|10.0|50.0|" + B_ENDPOINT, "1|360|10.0|10.0|10.0|" + B_ENDPOINT),
                rollup("_1m", KEY_B));
        assertEquals(List.of("6|null|0.0|0.0|50.0|null", "1|null|0.0|0.0|10.0|null"), rollup("_1m", KEY_C));
        assertEquals(0, it.count("SELECT count(*) FROM wireguard_peers_1m WHERE rx_bytes_per_s < 0 OR tx_bytes_per_s < 0"));
    }

    @Test
    void theHourRollupWeighsEachMinuteByTheSecondsItsRateCovers() {
        // (175 B/s x 40 s + 100 B/s x 10 s) / 50 s
        assertEquals(List.of("7|160|160.0|10.0|50.0|" + NEW), rollup("_1h", KEY_A));
    }

    @Test
    void theLatestStateHasEveryPeerWithItsStatusAndTheRateOfTheLastInterval() throws Exception {
        JsonNode body = it.ok("/api/v1/hosts/" + HOST + "/wireguard");
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
        JsonNode body = it.ok("/api/v1/hosts/" + HOST + "/wireguard/history?peer=" + q(KEY_A) + "&from="
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
        JsonNode body = it.ok("/api/v1/hosts/" + HOST + "/wireguard/history?peer=" + q(KEY_A) + "&from=" + T0
                + "&to=" + T0.plusSeconds(120) + "&step=60s");
        assertEquals("1m", body.get("tier").asText());
        assertEquals(2, body.get("points").size());
        assertEquals(175.0, body.get("points").get(0).get("rxBytesPerSecond").asDouble());
        assertEquals(6, body.get("points").get(0).get("samples").asInt());
        assertEquals(100.0, body.get("points").get(1).get("rxBytesPerSecond").asDouble());
        // a key with '+' sent unencoded arrives with a space, which a base64 key never holds
        JsonNode c = it.ok("/api/v1/hosts/" + HOST + "/wireguard/history?peer=" + KEY_C + "&from=" + T0 + "&to="
                + T0.plusSeconds(120) + "&step=60s");
        assertEquals(2, c.get("points").size());
    }

    @Test
    void badParametersGetAClear400AndAnUnknownHostA404() throws Exception {
        it.problem("/api/v1/hosts/" + HOST + "/wireguard/history", 400, "'peer' is required");
        it.problem("/api/v1/hosts/" + HOST + "/wireguard/history?peer=" + q("not a key;"), 400, "not a WireGuard public key");
        it.problem("/api/v1/hosts/" + HOST + "/wireguard/history?peer=" + q(KEY_A) + "&step=soon", 400, "step 'soon'");
        it.problem("/api/v1/hosts/" + HOST + "/wireguard/history?peer=" + q(KEY_A) + "&from=" + T0 + "&to=" + T0, 400,
                "is not before");
        it.problem("/api/v1/hosts/gw-nobody/wireguard", 404, "no host 'gw-nobody'");
        HttpResponse<String> anonymous = it.anonymous("/api/v1/hosts/" + HOST + "/wireguard");
        assertEquals(401, anonymous.statusCode());
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    /** samples|max handshake age|rx B/s|tx B/s|rx seconds|endpoint per bucket, oldest first. */
    private static List<String> rollup(String suffix, String key) {
        return it.database.jdbi().withHandle(h -> h.createQuery("SELECT samples, handshake_age_max_s, rx_bytes_per_s,"
                        + " tx_bytes_per_s, rx_seconds, endpoint FROM wireguard_peers" + suffix
                        + " WHERE peer_key = :key ORDER BY ts")
                .bind("key", key)
                .map((rs, ctx) -> rs.getObject(1) + "|" + rs.getObject(2) + "|" + rs.getObject(3) + "|"
                        + rs.getObject(4) + "|" + rs.getObject(5) + "|" + rs.getObject(6))
                .list());
    }


    private static List<Long> longs(String sql) {
        return it.database.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).list());
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



}
