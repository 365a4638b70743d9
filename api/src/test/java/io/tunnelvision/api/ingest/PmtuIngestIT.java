package io.tunnelvision.api.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunnelvision.api.TestRecords;
import io.tunnelvision.api.db.Tier;
import io.tunnelvision.schemas.avro.PmtuPath;
import io.tunnelvision.schemas.avro.PmtuSample;
import io.tunnelvision.schemas.avro.PmtuStep;
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
 * Path-MTU samples through the real broker into the real ingest and a real PostgreSQL (embedded), rolled up and read
 * back through the HTTP API: the rows with the rules' black-hole judgement, the rollups' worst sizes, the routes'
 * JSON, a replay that adds nothing and a corrupt size dead-lettered. The sizes are the lab's (PmtuBlackholeLabIT):
 * wg0 at 1420 over a router at 1400 whose ICMP is dropped passes 1328; after the remedy wg0 is at 1320 and all passes.
 */
class PmtuIngestIT {

    private static final String HOST = "gw-pmtu";
    /** A whole minute, ten minutes back, with the next two minutes in the same hour. */
    private static final Instant T0 = SampleIngestFixture.recentMinute();

    private static SampleIngestFixture it;
    private static List<ConsumerRecord<byte[], byte[]>> deadLetters;

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
        it = new SampleIngestFixture("pmtu_it");
        for (int s = 0; s < 9; s++) {
            it.send(it.kafka.topics.pmtuSamples, HOST, sample(s));
        }
        it.send(it.kafka.topics.pmtuSamples, HOST, sample(2)); // the same record again: a replay
        it.send(it.kafka.topics.pmtuSamples, HOST, new PmtuSample(TestRecords.sampleHeader(HOST, T0.plusSeconds(5), 99),
                List.of(path("gw-far", "10.9.0.2:0", 1420, 1328, 90_000, null))));
        deadLetters = it.ingest(11, 1, it.kafka.topics.pmtuSamples);

        it.rollups().rollUpPmtu(Tier.MINUTE, T0, T0.plus(Duration.ofMinutes(2)));
        Instant hour = T0.truncatedTo(ChronoUnit.HOURS);
        it.rollups().rollUpPmtu(Tier.HOUR, hour, hour.plus(Duration.ofHours(1)));

        it.serve();
    }

    @AfterAll
    static void stop() {
        if (it != null) {
            it.close();
        }
    }

    @Test
    void everyPathOfEverySampleIsOneRowJudgedAsTheRulesDoAndTheReplayAddedNothing() {
        assertEquals(9 * 2, it.count("SELECT count(*) FROM pmtu_paths"));
        assertEquals(18.0, it.kafka.metrics.get("tunnelvision.ingest.rows").tag("kind", "metric").counter().count(),
                "rows counted as stored: the replay inserted none");
        assertEquals(6, it.count("SELECT count(*) FROM pmtu_paths WHERE blackholed"), "gw-far before the remedy");
        assertEquals(6, it.count("SELECT count(*) FROM pmtu_paths WHERE blackholed AND peer = 'gw-far'"
                + " AND tunnel_mtu = 1420 AND largest_passed = 1328 AND smallest_failed = 1329 AND reported_mtu IS NULL"));
        assertEquals(9, it.count("SELECT count(*) FROM pmtu_paths WHERE peer = 'gw-near' AND NOT blackholed"
                + " AND reported_mtu = 1300"), "a router that reports its MTU is no black hole");
    }

    @Test
    void aSizeNoPacketCanHaveIsDeadLetteredWithItsReasonAndStoresNothing() {
        assertEquals(1, deadLetters.size());
        String reason = SampleIngestFixture.error(deadLetters.get(0));
        assertTrue(reason.contains("outside 1..65535") && reason.contains("smallest failed 90000"), reason);
        assertEquals(1.0, it.kafka.counter("dead-lettered"));
        assertEquals(0, it.count("SELECT count(*) FROM pmtu_paths WHERE ts = '" + T0.plusSeconds(5) + "'"));
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
        JsonNode body = it.ok("/api/v1/hosts/" + HOST + "/pmtu");
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
        JsonNode raw = it.ok("/api/v1/hosts/" + HOST + "/pmtu/history?from=" + T0 + "&to=" + T0.plusSeconds(90)
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
        JsonNode minutes = it.ok("/api/v1/hosts/" + HOST + "/pmtu/history?from=" + T0 + "&to=" + T0.plusSeconds(120)
                + "&step=60s");
        assertEquals("1m", minutes.get("tier").asText());
        assertEquals(4, minutes.get("points").size(), "two paths, two minutes");
        it.problem("/api/v1/hosts/gw-nobody/pmtu", 404, "no host 'gw-nobody'");
        it.problem("/api/v1/hosts/" + HOST + "/pmtu/history?step=soon", 400, "step 'soon'");
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private static List<String> rollup(String suffix, String peer) {
        return it.database.jdbi().withHandle(h -> h.createQuery("SELECT samples, blackholed_samples, tunnel_mtu,"
                        + " largest_passed_min, smallest_failed_min, reported_mtu_min FROM pmtu_paths" + suffix
                        + " WHERE peer = :peer ORDER BY ts")
                .bind("peer", peer)
                .map((rs, ctx) -> rs.getObject(1) + "|" + rs.getObject(2) + "|" + rs.getObject(3) + "|"
                        + rs.getObject(4) + "|" + rs.getObject(5) + "|" + rs.getObject(6))
                .list());
    }





}
