package io.tunnelvision.api.db;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * Per-CPU metrics kept apart by CPU instead of combined: what makes a single-core interrupt storm visible. The
 * statements unnest the per-CPU array of each row with its ordinality (element {@code i} is CPU {@code i - 1});
 * table and column names come from the {@link Metric}, everything else is bound.
 */
public final class CpuSeriesDao {

    /** One CPU's average over one bucket of one host's series. */
    public record CpuPoint(Instant t, int cpu, double avg) {
    }

    /** One CPU's average over the whole range, for one host of the fleet. */
    public record HostCpu(String hostId, int cpu, double avg) {
    }

    private final Jdbi jdbi;

    public CpuSeriesDao(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** One host, every CPU, averaged into buckets of {@code step}; ordered by bucket, then CPU. */
    public List<CpuPoint> perCpu(Metric metric, Tier tier, int hostKey, Instant from, Instant to, Duration step) {
        String sql = perCpuSql(metric, tier);
        return jdbi.withHandle(handle -> handle.createQuery(sql)
                .bind("hostKey", hostKey)
                .bind("from", from)
                .bind("to", to)
                .bind("stepSeconds", step.toSeconds())
                .map((rs, ctx) -> new CpuPoint(rs.getObject("t", OffsetDateTime.class).toInstant(), rs.getInt("cpu"),
                        rs.getDouble("avg")))
                .list());
    }

    /** Every host, every CPU, averaged over [from, to); ordered by host, then CPU. */
    public List<HostCpu> fleet(Metric metric, Tier tier, Instant from, Instant to) {
        String sql = fleetSql(metric, tier);
        return jdbi.withHandle(handle -> handle.createQuery(sql)
                .bind("from", from)
                .bind("to", to)
                .map((rs, ctx) -> new HostCpu(rs.getString("host_id"), rs.getInt("cpu"), rs.getDouble("avg")))
                .list());
    }

    static String perCpuSql(Metric metric, Tier tier) {
        return "SELECT date_bin(make_interval(secs => :stepSeconds), r.ts, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS t,"
                + " x.i - 1 AS cpu, avg(" + value(metric, tier) + ")::float8 AS avg"
                + " FROM " + metric.family().table(tier) + " r"
                + " CROSS JOIN LATERAL unnest(r." + column(metric) + ") WITH ORDINALITY AS x(v, i)"
                + " WHERE r.host_key = :hostKey AND r.ts >= :from AND r.ts < :to AND x.v IS NOT NULL"
                + " GROUP BY 1, 2 ORDER BY 1, 2";
    }

    static String fleetSql(Metric metric, Tier tier) {
        return "SELECT h.host_id, x.i - 1 AS cpu, avg(" + value(metric, tier) + ")::float8 AS avg"
                + " FROM " + metric.family().table(tier) + " r JOIN hosts h ON h.host_key = r.host_key"
                + " CROSS JOIN LATERAL unnest(r." + column(metric) + ") WITH ORDINALITY AS x(v, i)"
                + " WHERE r.ts >= :from AND r.ts < :to AND x.v IS NOT NULL"
                + " GROUP BY 1, 2 ORDER BY 1, 2";
    }

    private static String column(Metric metric) {
        if (!metric.perCpu()) {
            throw new IllegalArgumentException(metric.apiName() + " is not kept per CPU");
        }
        return metric.column();
    }

    private static String value(Metric metric, Tier tier) {
        // rollup tiers keep per-CPU values as smallints times a positive scale per array
        return tier == Tier.RAW ? "x.v" : "x.v * r." + column(metric) + "_scale";
    }
}
