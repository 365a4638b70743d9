package io.tunnelvision.api.db;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * One metric of one host over time, averaged into buckets of {@code step} from the tier the caller chose. The
 * statement is assembled from the {@link Metric}'s constant table and column names; host, interface, CPU and
 * times are bound.
 */
public final class SeriesDao {

    private final Jdbi jdbi;

    public SeriesDao(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * @param iface required for per-interface metrics, ignored otherwise
     * @param cpu   for per-CPU metrics: that CPU, or null to combine the CPUs ({@link Metric#cpuAggregate()})
     */
    public List<ReadRows.Point> series(Metric metric, Tier tier, int hostKey, String iface, Integer cpu,
                                       Instant from, Instant to, Duration step) {
        String sql = sql(metric, tier, cpu != null);
        return jdbi.withHandle(handle -> {
            var query = handle.createQuery(sql)
                    .bind("hostKey", hostKey)
                    .bind("from", from)
                    .bind("to", to)
                    .bind("stepSeconds", step.toSeconds());
            if (metric.perInterface()) {
                query.bind("iface", iface);
            }
            if (metric.perCpu() && cpu != null) {
                query.bind("cpuIndex", cpu + 1);
            }
            return query.map((rs, ctx) -> new ReadRows.Point(rs.getObject("t", java.time.OffsetDateTime.class)
                    .toInstant(), (Double) rs.getObject("avg"), (Double) rs.getObject("max"), rs.getLong("rows")))
                    .list();
        });
    }

    static String sql(Metric metric, Tier tier, boolean oneCpu) {
        String column = metric.column();
        // rollup tiers keep per-CPU values as smallints times a positive scale per array
        String scale = tier == Tier.RAW ? "" : " * " + column + "_scale";
        String value;
        if (!metric.perCpu()) {
            value = column;
        } else if (oneCpu) {
            value = column + "[:cpuIndex]" + scale;
        } else {
            String combine = metric.cpuAggregate() == Metric.CpuAggregate.MAX ? "max" : "sum";
            value = "(SELECT " + combine + "(x) FROM unnest(" + column + ") x)" + scale;
        }
        return "SELECT date_bin(make_interval(secs => :stepSeconds), ts, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS t,"
                + " avg(" + value + ")::float8 AS avg, max(" + value + ")::float8 AS max, count(*) AS rows"
                + " FROM " + metric.family().table(tier)
                + " WHERE host_key = :hostKey" + (metric.perInterface() ? " AND iface = :iface" : "")
                + " AND ts >= :from AND ts < :to GROUP BY 1 ORDER BY 1";
    }
}
