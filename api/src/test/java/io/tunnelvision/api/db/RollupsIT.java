package io.tunnelvision.api.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tunnelvision.api.TestDatabase;
import io.tunnelvision.api.TestRecords;
import io.tunnelvision.api.ingest.IngestWriter;
import io.tunnelvision.api.ingest.Item;
import io.tunnelvision.api.ingest.Source;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The minute and hour tiers computed on a real PostgreSQL from rows the ingest path wrote. */
class RollupsIT {

    private static final Instant MINUTE = Instant.parse("2026-03-10T11:00:00Z");
    private static final Instant NOW = Instant.parse("2026-03-10T12:10:00Z");

    private Database database;
    private PartitionMaintenance partitions;
    private Rollups rollups;

    @BeforeEach
    void freshSchema() {
        database = TestDatabase.fresh("rollups_it");
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        partitions = new PartitionMaintenance(database.jdbi(), Retention.DEFAULT, clock);
        rollups = new Rollups(database.jdbi(), partitions, clock);
        // 60 seconds of one host: values rise by one per second, so each minute's average is its middle value.
        List<Item> items = new ArrayList<>();
        for (int s = 0; s < 60; s++) {
            Instant t = MINUTE.plusSeconds(s);
            items.add(new Item(Source.LINK_RATES, TestRecords.link("gw-1", t, s, s, "tun0")));
            items.add(new Item(Source.SOFTNET_RATES, TestRecords.softnet("gw-1", t, s, 2, s)));
            items.add(new Item(Source.KERNEL_RATES, TestRecords.kernel("gw-1", t, s, s)));
        }
        new IngestWriter(database.jdbi(), partitions, RowSink.copy()).write(items);
    }

    @Test
    void aMinuteOfRawRowsBecomesOneRowOfAverages() {
        rollups.rollUp(MetricFamily.LINK, Tier.MINUTE, MINUTE, MINUTE.plus(Duration.ofMinutes(1)));
        rollups.rollUp(MetricFamily.SOFTNET, Tier.MINUTE, MINUTE, MINUTE.plus(Duration.ofMinutes(1)));

        assertEquals("60 29.5", database.jdbi().withHandle(h -> h.createQuery(
                "SELECT samples || ' ' || rx_packets FROM link_rates_1m WHERE iface = 'tun0'").mapTo(String.class)
                .one()));
        // CPU c processed s * (c + 1): averages 29.5 and 59, as smallints times a scale of 59 / 32767
        Float[] processed = database.jdbi().withHandle(h -> h.createQuery(
                "SELECT ARRAY(SELECT x * processed_scale FROM unnest(processed) x)::real[] FROM softnet_rates_1m")
                .mapTo(Float[].class).one());
        assertEquals(29.5f, processed[0], 59f / 32767);
        assertEquals(59f, processed[1], 59f / 32767);
        assertEquals(32767L, TestDatabase.count(database, "SELECT processed[2] FROM softnet_rates_1m"),
                "the busiest CPU uses the whole smallint range");
        assertEquals(1L, TestDatabase.count(database, "SELECT count(*) FROM softnet_rates_1m WHERE received_rps IS NULL"));
    }

    @Test
    void rollingUpTwiceGivesTheSameRows() {
        rollups.rollUp(MetricFamily.KERNEL, Tier.MINUTE, MINUTE, MINUTE.plus(Duration.ofMinutes(1)));

        rollups.rollUp(MetricFamily.KERNEL, Tier.MINUTE, MINUTE, MINUTE.plus(Duration.ofMinutes(1)));

        assertEquals(1L, TestDatabase.count(database, "SELECT count(*) FROM kernel_rates_1m"));
        assertEquals(29.5, database.jdbi().withHandle(h -> h.createQuery(
                "SELECT udp_rcvbuf_errors::float8 FROM kernel_rates_1m").mapTo(Double.class).one()));
    }

    @Test
    void theHourTierWeighsEachMinuteByItsRawRows() {
        rollups.rollUp(MetricFamily.LINK, Tier.MINUTE, MINUTE, MINUTE.plus(Duration.ofMinutes(1)));
        // a second minute with one row of 1000 packets/s
        database.jdbi().useHandle(h -> h.execute("INSERT INTO link_rates_1m (host_key, ts, samples, rx_packets, iface)"
                + " SELECT host_key, ts + interval '1 minute', 1, 1000, iface FROM link_rates_1m"));

        rollups.rollUp(MetricFamily.LINK, Tier.HOUR, MINUTE, MINUTE.plus(Duration.ofHours(1)));

        double expected = (60 * 29.5 + 1000) / 61;
        assertEquals(expected, database.jdbi().withHandle(h -> h.createQuery(
                "SELECT rx_packets::float8 FROM link_rates_1h").mapTo(Double.class).one()), 0.01);
        assertEquals(61L, TestDatabase.count(database, "SELECT samples FROM link_rates_1h"));
    }

    @Test
    void perCpuArraysSurviveTheWayFromMinuteToHour() {
        rollups.rollUp(MetricFamily.SOFTNET, Tier.MINUTE, MINUTE, MINUTE.plus(Duration.ofMinutes(1)));

        rollups.rollUp(MetricFamily.SOFTNET, Tier.HOUR, MINUTE, MINUTE.plus(Duration.ofHours(1)));

        Float[] processed = database.jdbi().withHandle(h -> h.createQuery(
                "SELECT ARRAY(SELECT x * processed_scale FROM unnest(processed) x)::real[] FROM softnet_rates_1h")
                .mapTo(Float[].class).one());
        assertEquals(29.5f, processed[0], 2 * 59f / 32767, "quantized twice, off by at most two steps");
        assertEquals(59f, processed[1], 2 * 59f / 32767);
        assertEquals(60L, TestDatabase.count(database, "SELECT samples FROM softnet_rates_1h"));
    }

    @Test
    void aScheduledRunRollsEveryFamilyAndRemembersWhereItGot() {
        int rows = rollups.runOnce();

        assertEquals(6, rows, "link, softnet and kernel each get a minute row and, the 11:00 hour being over, an hour row");
        assertEquals(1L, TestDatabase.count(database, "SELECT count(*) FROM link_rates_1m"));
        assertEquals(1L, TestDatabase.count(database, "SELECT count(*) FROM link_rates_1h"));
        assertEquals(18L, TestDatabase.count(database, "SELECT count(*) FROM rollup_progress"),
                "four families, the WireGuard peers, the path-MTU probes, the qdiscs, the transmit queues and the NICs,"
                        + " each in two tiers");
        assertEquals(2L, TestDatabase.count(database,
                "SELECT count(*) FROM rollup_progress WHERE target_table LIKE 'wireguard_peers_%'"));
        assertEquals(2L, TestDatabase.count(database,
                "SELECT count(*) FROM rollup_progress WHERE target_table LIKE 'pmtu_paths_%'"));
        assertEquals(2L, TestDatabase.count(database,
                "SELECT count(*) FROM rollup_progress WHERE target_table LIKE 'qdiscs_%'"));
        assertEquals(2L, TestDatabase.count(database,
                "SELECT count(*) FROM rollup_progress WHERE target_table LIKE 'tx_queues_%'"));
        assertEquals(2L, TestDatabase.count(database,
                "SELECT count(*) FROM rollup_progress WHERE target_table LIKE 'nics_%'"));
    }
}
