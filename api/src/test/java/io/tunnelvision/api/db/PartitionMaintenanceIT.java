package io.tunnelvision.api.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.api.TestDatabase;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Partitions on a real PostgreSQL: created ahead, dropped whole once past retention, created on demand. */
class PartitionMaintenanceIT {

    private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
    private static final PartitionedTable LINK_RAW = PartitionedTable.of(MetricFamily.LINK, Tier.RAW);
    private static final PartitionedTable LINK_MINUTE = PartitionedTable.of(MetricFamily.LINK, Tier.MINUTE);
    private static final PartitionedTable LINK_HOUR = PartitionedTable.of(MetricFamily.LINK, Tier.HOUR);

    private static final Retention RETENTION = Retention.DEFAULT;

    private Database database;

    @BeforeEach
    void freshSchema() {
        database = TestDatabase.fresh("partition_it");
    }

    private PartitionMaintenance at(Instant now) {
        return new PartitionMaintenance(database.jdbi(), RETENTION, Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void aRunCreatesTodayAndTheNextTwoPeriodsOfEveryTable() {
        PartitionMaintenance.Result result = at(NOW).run();

        assertEquals(List.of("link_rates_p2026031012", "link_rates_p2026031013", "link_rates_p2026031014"),
                at(NOW).partitions(LINK_RAW));
        assertEquals(List.of("link_rates_1m_p20260310", "link_rates_1m_p20260311", "link_rates_1m_p20260312"),
                at(NOW).partitions(LINK_MINUTE));
        assertEquals(List.of("link_rates_1h_p202603", "link_rates_1h_p202604", "link_rates_1h_p202605"),
                at(NOW).partitions(LINK_HOUR));
        assertEquals(PartitionedTable.all().size() * 3, result.created().size());
        assertEquals(List.of(), at(NOW).run().created(), "a second run finds everything in place");
    }

    @Test
    void partitionsWhollyPastRetentionAreDroppedAndTheirRowsGoWithThem() {
        at(NOW).run();
        database.jdbi().useHandle(h -> h.execute(
                "INSERT INTO link_rates (host_key, ts, iface) VALUES (1, '2026-03-10 12:30:00+00', 'tun0')"));
        database.jdbi().useHandle(h -> h.execute(
                "INSERT INTO link_rates_1m (host_key, ts, samples, iface) VALUES (1, '2026-03-10 12:30:00+00', 60, 'tun0')"));

        // Raw rows are kept RETENTION.raw(): the 12:00 hour goes once its end, 13:00, is that far back.
        Instant later = Instant.parse("2026-03-10T13:00:00Z").plus(RETENTION.raw());
        PartitionMaintenance.Result result = at(later).run();

        assertTrue(result.dropped().contains("link_rates_p2026031012"), result.dropped().toString());
        assertFalse(result.dropped().contains("link_rates_p2026031013"), "the 13:00 hour is still within retention");
        assertFalse(result.dropped().stream().anyMatch(p -> p.startsWith("link_rates_1m_")),
                "minute rollups are kept 30 days");
        assertEquals(0L, TestDatabase.count(database, "SELECT count(*) FROM link_rates"));
        assertEquals(1L, TestDatabase.count(database, "SELECT count(*) FROM link_rates_1m"));
    }

    @Test
    void ensureCreatesThePartitionOfALateRowWithinRetention() {
        PartitionMaintenance partitions = at(NOW);

        partitions.ensure(LINK_MINUTE, Instant.parse("2026-03-09T23:59:59Z"));
        partitions.ensure(LINK_RAW, NOW.minusSeconds(60));

        assertEquals(List.of("link_rates_1m_p20260309"), partitions.partitions(LINK_MINUTE));
        assertEquals(List.of("link_rates_p2026031011"), partitions.partitions(LINK_RAW));
        assertFalse(partitions.isExpired(LINK_MINUTE, Instant.parse("2026-03-09T23:59:59Z")));
        assertTrue(partitions.isExpired(LINK_MINUTE, NOW.minus(RETENTION.minute()).minusSeconds(86_400)));
        assertTrue(partitions.isExpired(LINK_RAW, NOW.minus(RETENTION.raw()).minusSeconds(3600)));
    }

    @Test
    void partitionsOfAnotherNamingAreLeftAlone() {
        database.jdbi().useHandle(h -> h.execute("CREATE TABLE link_rates_manual PARTITION OF link_rates"
                + " FOR VALUES FROM ('2020-01-01') TO ('2020-01-02')"));

        PartitionMaintenance.Result result = at(NOW).run();

        assertFalse(result.dropped().contains("link_rates_manual"));
        assertTrue(at(NOW).partitions(LINK_RAW).contains("link_rates_manual"));
    }
}
