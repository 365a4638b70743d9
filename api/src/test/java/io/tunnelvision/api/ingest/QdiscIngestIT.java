package io.tunnelvision.api.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunnelvision.api.TestRecords;
import io.tunnelvision.api.db.Tier;
import io.tunnelvision.rules.rates.Counters;
import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.Qdisc;
import io.tunnelvision.schemas.avro.QdiscSample;
import io.tunnelvision.schemas.avro.TxQueue;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Qdisc samples through the real broker into the real ingest and a real PostgreSQL, rolled up and read back through
 * the HTTP API. eth0 is an mq root over two pfifo_fast children (handle 0: each, parents :1 and :2, as tc shows a
 * multiqueue NIC): :1 drops 10/s, :2's 32-bit drop counter wraps; tun0 (a tun at txqueuelen 0) has its pfifo_fast
 * reset (bytes go down) between samples 3 and 4. Samples every 10 s: 0-5 in the first minute, 6-8 in the second.
 */
class QdiscIngestIT {

    private static final String HOST = "gw-qdisc";
    private static final long WRAP = 1L << 32;
    private static final Instant T0 = SampleIngestFixture.recentMinute();

    private static SampleIngestFixture it;
    private static List<ConsumerRecord<byte[], byte[]>> deadLetters;

    private static Qdisc qdisc(String iface, String kind, String parent, long bytes, long drops, long requeues,
                               long backlogBytes) {
        return new Qdisc(iface, kind, "0:", parent, bytes, bytes / 100, drops, 0L, requeues, backlogBytes,
                backlogBytes / 1500);
    }

    /** :2's drops start 6 below 2^32 and rise by 5 a sample: they wrap between samples 1 and 2. */
    static long wrappingDrops(int s) {
        return (WRAP - 6 + 5L * s) % WRAP;
    }

    private static long tunBytes(int s) {
        return s < 4 ? 2000L * s : 100L * (s - 4);
    }

    private static long tunDrops(int s) {
        return s < 4 ? 50L * s : 20L * (s - 4);
    }

    private static QdiscSample sample(int s) {
        return new QdiscSample(TestRecords.sampleHeader(HOST, T0.plusSeconds(10L * s), 100 + s), List.of(
                qdisc("eth0", "mq", null, 1500L * s, 100L * s, s, 1500L * (s % 3)),
                qdisc("eth0", "pfifo_fast", ":1", 1000L * s, 100L * s, s, 1500L * (s % 3)),
                qdisc("eth0", "pfifo_fast", ":2", 500L * s, wrappingDrops(s), 0, 0),
                qdisc("tun0", "pfifo_fast", null, tunBytes(s), tunDrops(s), 0, 0)),
                List.of(new TxQueue("eth0", 0, 30_000L + 100L * s, 1000L * s, 1_879_048_192L),
                        new TxQueue("eth0", 1, null, null, null)));
    }

    private static QdiscSample bad(Qdisc qdisc, int s) {
        return new QdiscSample(TestRecords.sampleHeader(HOST, T0.plusSeconds(10L * s + 5), 200 + s), List.of(qdisc),
                List.of());
    }

    private static InterfaceConfigSample interfaces() {
        return new InterfaceConfigSample(TestRecords.sampleHeader(HOST, T0, 100), List.of(
                new InterfaceConfig("eth0", 2, InterfaceKind.PHYSICAL, 1500, 1000, "up", List.of(), null),
                new InterfaceConfig("tun0", 7, InterfaceKind.TUN, 1420, 0, "up", List.of(), "eth0")));
    }

    @BeforeAll
    static void ingestRollUpAndServe() throws Exception {
        it = new SampleIngestFixture("qdisc_it");
        it.send(it.kafka.topics.interfaceConfigSamples, HOST, interfaces());
        for (int s = 0; s < 9; s++) {
            it.send(it.kafka.topics.qdiscSamples, HOST, sample(s));
        }
        it.send(it.kafka.topics.qdiscSamples, HOST, sample(2)); // the same record again: a replay
        it.send(it.kafka.topics.qdiscSamples, HOST, bad(qdisc("eth0", "mq", null, 1, -3, 0, 0), 0));
        it.send(it.kafka.topics.qdiscSamples, HOST, bad(qdisc("eth0", "mq", null, 1, 0, 0, 1L << 40), 1));
        it.send(it.kafka.topics.qdiscSamples, HOST, bad(new Qdisc("eth0", "mq", "root", null, 1L, 1L, 0L, 0L, 0L, 0L,
                0L), 2));
        // a writer schema this api does not know (a newer agent's, say): single-object encoding, unknown fingerprint
        byte[] unknown = {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0};
        it.kafka.producer.send(new ProducerRecord<>(it.kafka.topics.qdiscSamples.name(),
                HOST.getBytes(StandardCharsets.UTF_8), unknown));
        deadLetters = it.ingest(15, 4, it.kafka.topics.qdiscSamples, it.kafka.topics.interfaceConfigSamples);

        it.rollups().rollUpQdiscs(Tier.MINUTE, T0, T0.plus(Duration.ofMinutes(2)));
        it.rollups().rollUpTxQueues(Tier.MINUTE, T0, T0.plus(Duration.ofMinutes(2)));
        Instant hour = T0.truncatedTo(ChronoUnit.HOURS);
        it.rollups().rollUpQdiscs(Tier.HOUR, hour, hour.plus(Duration.ofHours(1)));
        it.rollups().rollUpTxQueues(Tier.HOUR, hour, hour.plus(Duration.ofHours(1)));

        it.serve();
    }

    @AfterAll
    static void stop() {
        if (it != null) {
            it.close();
        }
    }

    @Test
    void everyQdiscOfEverySampleIsOneRowAndOnlyQueuesWithBqlAreKept() {
        assertEquals(9 * 4, it.count("SELECT count(*) FROM qdiscs"));
        assertEquals(9, it.count("SELECT count(*) FROM tx_queues"), "tx-1 has no BQL: no rows");
        assertEquals(9 * 5, it.kafka.metrics.get("tunnelvision.ingest.rows").tag("kind", "metric").counter().count(),
                "rows counted as stored: the replay inserted none");
        assertEquals(9, it.count("SELECT count(*) FROM qdiscs WHERE iface = 'eth0' AND parent = '' AND kind = 'mq'"),
                "the root is stored with parent ''");
        assertEquals(2, it.count("SELECT count(DISTINCT parent) FROM qdiscs WHERE iface = 'eth0' AND handle = '0:'"
                + " AND parent <> ''"), "mq's children share handle 0: and are told apart by parent");
        assertEquals(wrappingDrops(8), it.count("SELECT drops FROM qdiscs WHERE parent = ':2' AND ts = '"
                + T0.plusSeconds(80) + "'"));
    }

    @Test
    void negativeAbsurdMalformedAndUnknownRecordsAreDeadLetteredWithTheirReasonsAndStoreNothing() {
        assertEquals(4, deadLetters.size());
        List<String> reasons = deadLetters.stream().map(SampleIngestFixture::error).toList();
        assertTrue(reasons.get(0).contains("drops -3, outside 0..4294967295"), reasons.get(0));
        assertTrue(reasons.get(1).contains("backlog bytes 1099511627776, outside 0..4294967295"), reasons.get(1));
        assertTrue(reasons.get(2).contains("'root' is not a tc handle"), reasons.get(2));
        assertTrue(reasons.get(3).contains("Cannot resolve schema for fingerprint"), reasons.get(3));
        assertEquals(4.0, it.kafka.counter("dead-lettered"));
        assertEquals(0, it.count("SELECT count(*) FROM qdiscs WHERE extract(second FROM ts)::integer % 10 = 5"));
    }

    @Test
    void theMinuteRollupHasRatesFromDeltasWrapsAs32BitCountersAndNoneAcrossTheReset() {
        // samples|rate seconds|bytes/s|drops/s|requeues/s|backlog bytes avg|max
        assertEquals(List.of("6|50.0|100.0|10.0|0.1|1500.0|3000", "3|30.0|100.0|10.0|0.1|1500.0|3000"),
                rollup("_1m", "eth0", ":1"));
        double wrapped = Counters.delta32(wrappingDrops(1), wrappingDrops(2)).getAsLong() / 10.0;
        assertEquals(0.5, wrapped, "the rules take the wrap as 5 drops in 10 s");
        assertEquals(List.of("6|50.0|50.0|" + wrapped + "|0.0|0.0|0", "3|30.0|50.0|0.5|0.0|0.0|0"),
                rollup("_1m", "eth0", ":2"));
        // tun0: 2000 B and 50 drops a sample until the reset, then 100 B and 20 drops; the reset interval counts not
        assertEquals(List.of("6|40.0|152.5|4.25|0.0|0.0|0", "3|30.0|10.0|2.0|0.0|0.0|0"), rollup("_1m", "tun0", ""));
        assertEquals(0, it.count("SELECT count(*) FROM qdiscs_1m WHERE drops_per_s < 0 OR bytes_per_s < 0"));
    }

    @Test
    void theHourRollupWeighsEachMinuteByTheSecondsItsRatesCover() {
        // tun0: (4.25 x 40 + 2 x 30) / 70 drops/s, (152.5 x 40 + 10 x 30) / 70 B/s
        List<String> tun = rollup("_1h", "tun0", "");
        assertEquals(1, tun.size());
        String[] f = tun.get(0).split("\\|");
        assertEquals("9|70.0", f[0] + "|" + f[1]);
        assertEquals((152.5 * 40 + 10 * 30) / 70, Double.parseDouble(f[2]), 1e-3);
        assertEquals((4.25 * 40 + 2 * 30) / 70, Double.parseDouble(f[3]), 1e-4);
        assertEquals(List.of("9|80.0|100.0|10.0|0.1|1500.0|3000"), rollup("_1h", "eth0", ":1"));
        assertEquals(List.of("9|30400.0|30000|4000.0|8000|1879048192"), txRollup("_1h"));
        assertEquals(List.of("6|30250.0|30000|2500.0|5000|1879048192", "3|30700.0|30600|7000.0|8000|1879048192"),
                txRollup("_1m"));
    }

    @Test
    void theLatestSampleHasEveryQdiscWithItsRatesAndMarksTheTunAtTxqueuelenZero() throws Exception {
        JsonNode body = it.ok("/api/v1/hosts/" + HOST + "/qdiscs");
        assertEquals(T0.plusSeconds(80).toString(), body.get("sampledAt").asText());
        assertEquals(10.0, body.get("intervalSeconds").asDouble());
        JsonNode eth0 = body.get("interfaces").get(0);
        assertEquals("eth0", eth0.get("name").asText());
        assertEquals("PHYSICAL", eth0.get("kind").asText());
        assertFalse(eth0.get("txQueueLenZero").asBoolean());
        assertEquals(3, eth0.get("qdiscs").size());
        JsonNode root = eth0.get("qdiscs").get(0);
        assertTrue(root.get("root").asBoolean());
        assertEquals("mq", root.get("kind").asText());
        assertTrue(root.get("parent").isNull());
        JsonNode child = eth0.get("qdiscs").get(1);
        assertEquals(":1", child.get("parent").asText());
        assertEquals(10.0, child.get("dropsPerSecond").asDouble());
        assertEquals(3000, child.get("backlogBytes").asLong());
        assertEquals(0.5, eth0.get("qdiscs").get(2).get("dropsPerSecond").asDouble());
        JsonNode bql = eth0.get("txQueues");
        assertEquals(1, bql.size());
        assertEquals(30_800, bql.get(0).get("bqlLimit").asLong());
        assertEquals(8000, bql.get(0).get("bqlInflight").asLong());
        JsonNode tun0 = body.get("interfaces").get(1);
        assertEquals("tun0", tun0.get("name").asText());
        assertEquals(0, tun0.get("txQueueLen").asInt());
        assertTrue(tun0.get("txQueueLenZero").asBoolean());
        assertTrue(tun0.get("txQueueLenZeroReason").asText().contains("txqueuelen 0"),
                tun0.get("txQueueLenZeroReason").asText());
        assertEquals(2.0, tun0.get("qdiscs").get(0).get("dropsPerSecond").asDouble());
    }

    @Test
    void theHistoryReadsRawDeltasOrTheRollupsAndRefusesBadParameters() throws Exception {
        JsonNode raw = it.ok("/api/v1/hosts/" + HOST + "/qdiscs/history?iface=tun0&from=" + T0 + "&to="
                + T0.plusSeconds(90) + "&step=10s");
        assertEquals("raw", raw.get("tier").asText());
        List<String> drops = new ArrayList<>();
        raw.get("points").forEach(p -> drops.add(p.get("dropsPerSecond").isNull() ? "null"
                : String.valueOf(p.get("dropsPerSecond").asDouble())));
        assertEquals(List.of("null", "5.0", "5.0", "5.0", "null", "2.0", "2.0", "2.0", "2.0"), drops,
                "no rate for the first sample nor across the reset");
        assertTrue(raw.get("txQueues").isEmpty(), "tun0 has no BQL");
        JsonNode minutes = it.ok("/api/v1/hosts/" + HOST + "/qdiscs/history?from=" + T0 + "&to="
                + T0.plusSeconds(120) + "&step=60s");
        assertEquals("1m", minutes.get("tier").asText());
        assertEquals(8, minutes.get("points").size(), "four qdiscs, two minutes");
        assertEquals(2, minutes.get("txQueues").size());
        assertNull(minutes.get("iface").textValue());
        it.problem("/api/v1/hosts/gw-nobody/qdiscs", 404, "no host 'gw-nobody'");
        it.problem("/api/v1/hosts/" + HOST + "/qdiscs/history?step=soon", 400, "step 'soon'");
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private static List<String> rollup(String suffix, String iface, String parent) {
        return it.database.jdbi().withHandle(h -> h.createQuery("SELECT samples, rate_seconds, bytes_per_s,"
                        + " drops_per_s, requeues_per_s, backlog_bytes_avg, backlog_bytes_max FROM qdiscs" + suffix
                        + " WHERE iface = :iface AND parent = :parent ORDER BY ts")
                .bind("iface", iface)
                .bind("parent", parent)
                .map((rs, ctx) -> rs.getObject(1) + "|" + rs.getObject(2) + "|" + rs.getObject(3) + "|"
                        + rs.getObject(4) + "|" + rs.getObject(5) + "|" + rs.getObject(6) + "|" + rs.getObject(7))
                .list());
    }

    private static List<String> txRollup(String suffix) {
        return it.database.jdbi().withHandle(h -> h.createQuery("SELECT samples, bql_limit_avg, bql_limit_min,"
                        + " bql_inflight_avg, bql_inflight_max, bql_limit_max FROM tx_queues" + suffix
                        + " WHERE iface = 'eth0' AND queue = 0 ORDER BY ts")
                .map((rs, ctx) -> rs.getObject(1) + "|" + rs.getObject(2) + "|" + rs.getObject(3) + "|"
                        + rs.getObject(4) + "|" + rs.getObject(5) + "|" + rs.getObject(6))
                .list());
    }
}
