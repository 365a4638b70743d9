package io.tunnelvision.api.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The statements built from constants: which tier and column they touch, and that values stay parameters. */
class SqlAssemblyTest {

    @Test
    void aSeriesReadsItsTiersTableAndBindsEverythingTheCallerGave() {
        String raw = SeriesDao.sql(Metric.RX_PACKETS, Tier.RAW, false);
        String minute = SeriesDao.sql(Metric.PROCESSED, Tier.MINUTE, true);
        String hostWide = SeriesDao.sql(Metric.SOFTIRQ_SHARE, Tier.HOUR, false);

        assertTrue(raw.contains("FROM link_rates WHERE host_key = :hostKey AND iface = :iface AND ts >= :from"), raw);
        assertTrue(minute.contains("avg(processed[:cpuIndex] * processed_scale)"), minute);
        assertTrue(minute.contains("FROM softnet_rates_1m"), minute);
        assertTrue(hostWide.contains("(SELECT max(x) FROM unnest(softirq_share) x) * softirq_share_scale"), hostWide);
    }

    @Test
    void everyRollupUpsertsAndWeighsTheMinuteRowsByTheirSamples() {
        String minute = Rollups.sql(MetricFamily.SOFTNET, Tier.MINUTE);
        String hour = Rollups.sql(MetricFamily.SOFTNET, Tier.HOUR);

        assertTrue(minute.contains("FROM softnet_rates r"), minute);
        assertTrue(minute.contains("count(*)::integer AS samples"), minute);
        assertTrue(minute.contains("ON CONFLICT (host_key, ts) DO UPDATE"), minute);
        assertTrue(hour.contains("FROM softnet_rates_1m r"), hour);
        assertTrue(hour.contains("sum(u.processed * r.processed_scale::float8 * r.samples)"), hour);
        assertTrue(Rollups.sql(MetricFamily.LINK, Tier.MINUTE).contains("GROUP BY r.host_key, r.iface, 3"));
    }

    @Test
    void columnListsMatchEachTiersTable() {
        assertEquals(List.of("host_key", "ts", "flow_limit", "processed", "dropped", "time_squeeze", "received_rps",
                "backlog_len"), MetricFamily.SOFTNET.columns(Tier.RAW));
        assertTrue(MetricFamily.SOFTNET.columns(Tier.MINUTE).containsAll(List.of("samples", "processed_scale")));
        assertEquals(List.of("host_key", "iface", "ts"), MetricFamily.LINK.primaryKey());
        assertFalse(MetricFamily.INTERRUPTS.columns(Tier.HOUR).contains("irq_line_rates"), "raw tier only");
    }

    @Test
    void everyMetricHasAColumnInItsFamily() {
        for (Metric metric : Metric.values()) {
            assertTrue(metric.family().columns(Tier.RAW).contains(metric.column()), metric.apiName());
            assertTrue(metric.family().columns(Tier.MINUTE).contains(metric.column()), metric.apiName());
        }
        assertEquals(Metric.TIME_SQUEEZE, Metric.byApiName("time_squeeze").orElseThrow());
        assertTrue(Metric.byApiName("TIME_SQUEEZE").isEmpty(), "names are lowercase, like the columns");
    }

    @Test
    void partitionNamesFollowTheTiersPeriod() {
        Instant t = Instant.parse("2026-03-10T12:34:56Z");
        PartitionedTable raw = PartitionedTable.of(MetricFamily.LINK, Tier.RAW);
        PartitionedTable minute = PartitionedTable.of(MetricFamily.LINK, Tier.MINUTE);
        PartitionedTable hour = PartitionedTable.of(MetricFamily.LINK, Tier.HOUR);

        assertEquals("link_rates_p2026031012", PartitionMaintenance.partitionName(raw,
                PartitionMaintenance.periodStart(raw, t)));
        assertEquals("link_rates_1m_p20260310", PartitionMaintenance.partitionName(minute,
                PartitionMaintenance.periodStart(minute, t)));
        assertEquals("link_rates_1h_p202603", PartitionMaintenance.partitionName(hour,
                PartitionMaintenance.periodStart(hour, t)));
        assertEquals(Instant.parse("2026-03-10T12:00:00Z"), PartitionMaintenance.startOf(raw, "link_rates_p2026031012"));
        assertEquals(Instant.parse("2026-03-01T00:00:00Z"), PartitionMaintenance.startOf(hour, "link_rates_1h_p202603"));
        assertEquals(null, PartitionMaintenance.startOf(raw, "link_rates_manual"));
    }
}
