package io.tunnelvision.api.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunnelvision.api.TestRecords;
import io.tunnelvision.api.db.Tier;
import io.tunnelvision.schemas.avro.Nic;
import io.tunnelvision.schemas.avro.NicQueue;
import io.tunnelvision.schemas.avro.NicSample;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * NIC samples through the real broker into the real ingest and a real PostgreSQL, rolled up and read back through the
 * HTTP API. eth0 (mlx5) misses 1 packet/s and runs out of buffers 5/s at a 1024 ring of 8192, queue 0 drops 2/s, and
 * its rx_dropped counter goes down between samples 3 and 4 (a driver reload); its ring is raised to 4096 at sample 7.
 * veth0 reports RX channels only (Combined n/a), no rings, no coalescing, no counters, as a real veth does. Samples
 * every 10 s: 0-5 in the first minute, 6-8 in the second.
 */
class NicIngestIT {

    private static final String HOST = "gw-nic";
    private static final Instant T0 = SampleIngestFixture.recentMinute();

    private static SampleIngestFixture it;
    private static List<ConsumerRecord<byte[], byte[]>> deadLetters;

    private static Nic eth0(int s) {
        Nic nic = nic("eth0", "mlx5_core");
        nic.setRxRing(s < 7 ? 1024 : 4096);
        nic.setRxRingMax(8192);
        nic.setTxRing(1024);
        nic.setTxRingMax(8192);
        nic.setCombinedChannels(4);
        nic.setCombinedChannelsMax(16);
        nic.setRxUsecs(8);
        nic.setRxFrames(128);
        nic.setTxUsecs(16);
        nic.setAdaptiveRx(true);
        Map<String, Boolean> features = new LinkedHashMap<>();
        features.put("rx-udp-gro-forwarding", false);
        features.put("generic-receive-offload", true);
        features.put("hw-tc-offload", true);
        nic.setFeatures(features);
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("rx_missed", 10L * s);
        counters.put("rx_no_buffer", 50L * s);
        counters.put("rx_dropped", s < 4 ? 100L * s : 7L * (s - 4));
        counters.put("rx_vport_unicast_packets", 1000L * s);
        nic.setCounters(counters);
        nic.setQueues(List.of(new NicQueue(0, 500L * s, 20L * s, 400L * s, 0L), new NicQueue(1, 500L * s, 0L, 400L * s,
                0L)));
        return nic;
    }

    private static Nic veth0() {
        Nic nic = nic("veth0", "veth");
        nic.setRxChannels(2);
        nic.setRxChannelsMax(4);
        nic.setFeatures(Map.of("rx-udp-gro-forwarding", true));
        return nic;
    }

    private static Nic nic(String name, String driver) {
        Nic nic = new Nic();
        nic.setInterface$(name);
        nic.setDriver(driver);
        nic.setFeatures(Map.of());
        nic.setCounters(Map.of());
        nic.setQueues(List.of());
        return nic;
    }

    private static NicSample sample(int s) {
        return new NicSample(TestRecords.sampleHeader(HOST, T0.plusSeconds(10L * s), 100 + s), List.of(eth0(s), veth0()));
    }

    private static NicSample bad(Nic nic, int s) {
        return new NicSample(TestRecords.sampleHeader(HOST, T0.plusSeconds(10L * s + 5), 200 + s), List.of(nic));
    }

    @BeforeAll
    static void ingestRollUpAndServe() throws Exception {
        it = new SampleIngestFixture("nic_it");
        for (int s = 0; s < 9; s++) {
            it.send(it.kafka.topics.nicSamples, HOST, sample(s));
        }
        it.send(it.kafka.topics.nicSamples, HOST, sample(2)); // the same record again: a replay
        Nic negative = eth0(1);
        negative.setCounters(Map.of("rx_missed", -1L));
        it.send(it.kafka.topics.nicSamples, HOST, bad(negative, 0));
        Nic aboveMax = eth0(1);
        aboveMax.setRxRing(9000);
        it.send(it.kafka.topics.nicSamples, HOST, bad(aboveMax, 1));
        Nic twice = eth0(1);
        twice.setQueues(List.of(new NicQueue(3, 1L, 0L, 1L, 0L), new NicQueue(3, 2L, 0L, 2L, 0L)));
        it.send(it.kafka.topics.nicSamples, HOST, bad(twice, 2));
        deadLetters = it.ingest(13, 3, it.kafka.topics.nicSamples);

        it.rollups().rollUpNics(Tier.MINUTE, T0, T0.plus(Duration.ofMinutes(2)));
        Instant hour = T0.truncatedTo(ChronoUnit.HOURS);
        it.rollups().rollUpNics(Tier.HOUR, hour, hour.plus(Duration.ofHours(1)));

        it.serve();
    }

    @AfterAll
    static void stop() {
        if (it != null) {
            it.close();
        }
    }

    @Test
    void everyNicOfEverySampleIsOneRowWithItsSettingsCountersAndQueues() {
        assertEquals(9 * 2, it.count("SELECT count(*) FROM nics"));
        assertEquals(18.0, it.kafka.metrics.get("tunnelvision.ingest.rows").tag("kind", "metric").counter().count(),
                "rows counted as stored: the replay inserted none");
        List<String> row = it.database.jdbi().withHandle(h -> h.createQuery("SELECT rx_ring, rx_ring_max,"
                        + " combined_channels, rx_usecs, adaptive_rx, rx_missed, rx_dropped, tx_dropped, queue_rx_drops::text,"
                        + " offloads_on::text, offloads_off::text, driver FROM nics WHERE iface = 'eth0' AND ts = :ts")
                .bind("ts", T0.plusSeconds(80).atOffset(java.time.ZoneOffset.UTC))
                .map((rs, ctx) -> {
                    List<String> values = new ArrayList<>();
                    for (int c = 1; c <= 12; c++) {
                        values.add(String.valueOf(rs.getObject(c)));
                    }
                    return values;
                }).one());
        assertEquals(List.of("4096", "8192", "4", "8", "true", "80", "28", "null", "{160,0}",
                "{generic-receive-offload}", "{rx-udp-gro-forwarding}", "mlx5_core"), row);
        assertEquals(9, it.count("SELECT count(*) FROM nics WHERE iface = 'veth0' AND rx_ring IS NULL"
                + " AND combined_channels IS NULL AND rx_channels = 2 AND rx_missed IS NULL AND queue_rx_drops IS NULL"));
    }

    @Test
    void aNegativeCounterARingAboveItsMaximumAndAQueueTwiceAreDeadLetteredWithTheirReasons() {
        assertEquals(3, deadLetters.size());
        List<String> reasons = deadLetters.stream().map(SampleIngestFixture::error).toList();
        assertTrue(reasons.get(0).contains("negative counter rx_missed (-1)"), reasons.get(0));
        assertTrue(reasons.get(1).contains("rx ring 9000 above its maximum 8192"), reasons.get(1));
        assertTrue(reasons.get(2).contains("queue 3 twice"), reasons.get(2));
        assertEquals(3.0, it.kafka.counter("dead-lettered"));
        assertEquals(0, it.count("SELECT count(*) FROM nics WHERE extract(second FROM ts)::integer % 10 = 5"));
    }

    @Test
    void theMinuteRollupHasDropRatesFromDeltasNoneAcrossTheResetAndTheLastSettings() {
        // samples|rate seconds|missed/s|no buffer/s|rx dropped/s|tx dropped/s|rx ring|max|combined|rx-usecs|adaptive
        assertEquals(List.of("6|40.0|1.0|5.0|7.675|null|1024|8192|4|8|true",
                "3|30.0|1.0|5.0|0.7|null|4096|8192|4|8|true"), rollup("_1m", "eth0"));
        assertEquals(List.of("6|50.0|null|null|null|null|null|null|null|null|null",
                "3|30.0|null|null|null|null|null|null|null|null|null"), rollup("_1m", "veth0"));
    }

    @Test
    void theHourRollupWeighsEachMinuteByTheSecondsItsRatesCover() {
        List<String> hour = rollup("_1h", "eth0");
        assertEquals(1, hour.size());
        String[] f = hour.get(0).split("\\|");
        assertEquals("9|70.0|1.0|5.0", String.join("|", f[0], f[1], f[2], f[3]));
        assertEquals((7.675 * 40 + 0.7 * 30) / 70, Double.parseDouble(f[4]), 1e-4);
        assertEquals("4096", f[6], "the hour's last ring");
    }

    @Test
    void theLatestSampleHasEveryNicWithItsSettingsAndDropRates() throws Exception {
        JsonNode body = it.ok("/api/v1/hosts/" + HOST + "/nics");
        assertEquals(T0.plusSeconds(80).toString(), body.get("sampledAt").asText());
        assertEquals(10.0, body.get("intervalSeconds").asDouble());
        JsonNode eth0 = body.get("nics").get(0);
        assertEquals("eth0", eth0.get("name").asText());
        assertEquals(4096, eth0.get("rxRing").asInt());
        assertEquals(8192, eth0.get("rxRingMax").asInt());
        assertEquals(16, eth0.get("combinedChannelsMax").asInt());
        assertTrue(eth0.get("adaptiveRx").asBoolean());
        assertEquals(1.0, eth0.get("rxMissedPerSecond").asDouble());
        assertEquals(5.0, eth0.get("rxNoBufferPerSecond").asDouble());
        assertEquals(0.7, eth0.get("rxDroppedPerSecond").asDouble(), 1e-9);
        assertTrue(eth0.get("txDroppedPerSecond").isNull(), "mlx5 here reports no tx_dropped: unknown, not 0");
        assertEquals(2.0, eth0.get("queues").get(0).get("rxDropsPerSecond").asDouble());
        assertEquals(0.0, eth0.get("queues").get(1).get("rxDropsPerSecond").asDouble());
        assertEquals("rx-udp-gro-forwarding", eth0.get("offloadsOff").get(0).asText());
        JsonNode veth = body.get("nics").get(1);
        assertEquals(2, veth.get("rxChannels").asInt());
        assertTrue(veth.get("combinedChannels").isNull());
        assertTrue(veth.get("rxRing").isNull());
        assertEquals("rx-udp-gro-forwarding", veth.get("offloadsOn").get(0).asText());
    }

    @Test
    void theHistoryReadsRawDeltasOrTheRollupsAndRefusesBadParameters() throws Exception {
        JsonNode raw = it.ok("/api/v1/hosts/" + HOST + "/nics/history?iface=eth0&from=" + T0 + "&to="
                + T0.plusSeconds(90) + "&step=10s");
        assertEquals("raw", raw.get("tier").asText());
        List<String> dropped = new ArrayList<>();
        raw.get("points").forEach(p -> dropped.add(p.get("rxDroppedPerSecond").isNull() ? "null"
                : String.valueOf(Math.round(p.get("rxDroppedPerSecond").asDouble() * 10) / 10.0)));
        assertEquals(List.of("null", "10.0", "10.0", "10.0", "null", "0.7", "0.7", "0.7", "0.7"), dropped,
                "no rate for the first sample nor across the driver reload");
        JsonNode minutes = it.ok("/api/v1/hosts/" + HOST + "/nics/history?from=" + T0 + "&to=" + T0.plusSeconds(120)
                + "&step=60s");
        assertEquals("1m", minutes.get("tier").asText());
        assertEquals(4, minutes.get("points").size(), "two NICs, two minutes");
        it.problem("/api/v1/hosts/gw-nobody/nics", 404, "no host 'gw-nobody'");
        it.problem("/api/v1/hosts/" + HOST + "/nics/history?step=soon", 400, "step 'soon'");
    }

    private static List<String> rollup(String suffix, String iface) {
        return it.database.jdbi().withHandle(h -> h.createQuery("SELECT samples, rate_seconds, rx_missed_per_s,"
                        + " rx_no_buffer_per_s, rx_dropped_per_s, tx_dropped_per_s, rx_ring, rx_ring_max,"
                        + " combined_channels, rx_usecs, adaptive_rx FROM nics" + suffix
                        + " WHERE iface = :iface ORDER BY ts")
                .bind("iface", iface)
                .map((rs, ctx) -> {
                    List<String> values = new ArrayList<>();
                    for (int c = 1; c <= 11; c++) {
                        values.add(String.valueOf(rs.getObject(c)));
                    }
                    return String.join("|", values);
                })
                .list());
    }
}
