package io.tunnelvision.api.db;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the 1-minute tier from the raw rows and the 1-hour tier from the minute rows, as averages weighted by
 * the number of raw rows behind each value. Per-CPU arrays are averaged element by element (unnest with
 * ordinality, average per position, array_agg in position order), so CPU {@code i} stays at element {@code i+1}.
 *
 * <p>Each run redoes a trailing window as well as what is new ({@link #REDO}), with upserts, so records that
 * arrive a little late still reach the rollups; the progress per table survives restarts in
 * {@code rollup_progress}.
 *
 * <p>The WireGuard peers, the qdiscs and the NICs are rolled up here too, with their own statements
 * ({@link WireguardDao#rollUp}, {@link QdiscDao#rollUp}, {@link NicDao#rollUp}): their rates come from counter deltas
 * between samples, not from averaging rates; so are the path-MTU probes and the transmit queues' byte queue limits.
 */
public final class Rollups {

    private static final Logger LOG = LoggerFactory.getLogger(Rollups.class);
    /** How far back each run recomputes, to take in records that arrived late. */
    static final Duration REDO = Duration.ofMinutes(15);
    /** Raw rows of the current minute may still be on their way. */
    static final Duration SETTLE = Duration.ofSeconds(30);
    /** Catching up after a long stop goes in slices, so no single statement holds locks for long. */
    static final Duration SLICE = Duration.ofHours(6);

    private final Jdbi jdbi;
    private final PartitionMaintenance partitions;
    private final Clock clock;
    private final WireguardDao wireguard;
    private final PmtuDao pmtu;
    private final QdiscDao qdiscs;
    private final NicDao nics;

    public Rollups(Jdbi jdbi, PartitionMaintenance partitions, Clock clock) {
        this.jdbi = jdbi;
        this.wireguard = new WireguardDao(jdbi);
        this.pmtu = new PmtuDao(jdbi);
        this.qdiscs = new QdiscDao(jdbi);
        this.nics = new NicDao(jdbi);
        this.partitions = partitions;
        this.clock = clock;
    }

    /** Rolls every family up to the last complete minute and hour; returns the rows written. */
    public int runOnce() {
        Instant now = clock.instant().minus(SETTLE);
        int rows = 0;
        for (Tier target : List.of(Tier.MINUTE, Tier.HOUR)) {
            Instant to = now.truncatedTo(target == Tier.MINUTE ? ChronoUnit.MINUTES : ChronoUnit.HOURS);
            for (MetricFamily family : MetricFamily.values()) {
                rows += rollUpUntil(family.table(target), target, to,
                        (from, until) -> rollUp(family, target, from, until));
            }
            rows += rollUpUntil(PartitionedTable.wireguard(target).name(), target, to,
                    (from, until) -> rollUpWireguard(target, from, until));
            rows += rollUpUntil(PartitionedTable.pmtu(target).name(), target, to,
                    (from, until) -> rollUpPmtu(target, from, until));
            rows += rollUpUntil(PartitionedTable.qdiscs(target).name(), target, to,
                    (from, until) -> rollUpQdiscs(target, from, until));
            rows += rollUpUntil(PartitionedTable.txQueues(target).name(), target, to,
                    (from, until) -> rollUpTxQueues(target, from, until));
            rows += rollUpUntil(PartitionedTable.nics(target).name(), target, to,
                    (from, until) -> rollUpNics(target, from, until));
        }
        return rows;
    }

    /**
     * A table of the tier, each with its own progress row (a family's; the WireGuard peers', the qdiscs' and the NICs',
     * whose rates need the rows before each bucket; the path-MTU probes', the transmit queues'), rolled up slice by
     * slice from where it got to {@code to}.
     */
    private int rollUpUntil(String table, Tier target, Instant to, SliceRollUp slice) {
        Instant done = progress(table).orElse(to.minus(Duration.ofDays(1)));
        Instant from = min(done, to.minus(target == Tier.MINUTE ? REDO : Duration.ofHours(2)));
        int rows = 0;
        for (Instant start = from; start.isBefore(to); start = start.plus(SLICE)) {
            rows += slice.rollUp(start, min(start.plus(SLICE), to));
        }
        saveProgress(table, to);
        return rows;
    }

    /** Rolls one slice {@code [from, to)} of a table up; returns the rows. */
    @FunctionalInterface
    private interface SliceRollUp {
        int rollUp(Instant from, Instant to);
    }

    /** Rolls the WireGuard peers of the tier below {@code target} up for {@code [from, to)}; returns the rows. */
    public int rollUpWireguard(Tier target, Instant from, Instant to) {
        return rollUpSlice(PartitionedTable.wireguard(target), from, to, (f, t) -> wireguard.rollUp(target, f, t));
    }

    /** Rolls the path-MTU probes of the tier below {@code target} up for {@code [from, to)}; returns the rows. */
    public int rollUpPmtu(Tier target, Instant from, Instant to) {
        return rollUpSlice(PartitionedTable.pmtu(target), from, to, (f, t) -> pmtu.rollUp(target, f, t));
    }

    /** Rolls the qdiscs of the tier below {@code target} up for {@code [from, to)}; returns the rows. */
    public int rollUpQdiscs(Tier target, Instant from, Instant to) {
        return rollUpSlice(PartitionedTable.qdiscs(target), from, to, (f, t) -> qdiscs.rollUp(target, f, t));
    }

    /** Rolls the transmit queues' byte queue limits of the tier below {@code target} up for {@code [from, to)}. */
    public int rollUpTxQueues(Tier target, Instant from, Instant to) {
        return rollUpSlice(PartitionedTable.txQueues(target), from, to,
                (f, t) -> qdiscs.rollUpTxQueues(target, f, t));
    }

    /** Rolls the NICs of the tier below {@code target} up for {@code [from, to)}; returns the rows. */
    public int rollUpNics(Tier target, Instant from, Instant to) {
        return rollUpSlice(PartitionedTable.nics(target), from, to, (f, t) -> nics.rollUp(target, f, t));
    }

    /** Aggregates the source tier's rows in {@code [from, to)} into {@code target}; returns the rows upserted. */
    public int rollUp(MetricFamily family, Tier target, Instant from, Instant to) {
        String sql = sql(family, target);
        return rollUpSlice(PartitionedTable.of(family, target), from, to,
                (f, t) -> RollupUpdate.execute(jdbi, sql, target, f, t));
    }

    /** Makes the target table's partitions for {@code [from, to)}, then rolls the slice up into it. */
    private int rollUpSlice(PartitionedTable table, Instant from, Instant to, SliceRollUp rollUp) {
        partitions.ensureRange(table, from, to);
        int rows = rollUp.rollUp(from, to);
        LOG.debug("Rolled {} rows of {} for [{}, {})", rows, table.name(), from, to);
        return rows;
    }

    /** The upsert for one family and target tier, built from the constant column lists of {@link MetricFamily}. */
    static String sql(MetricFamily family, Tier target) {
        Tier source = target.source();
        String src = family.table(source);
        String dst = family.table(target);
        boolean fromRaw = source == Tier.RAW;
        String weight = fromRaw ? "1" : "r.samples";
        String bucket = "date_bin(make_interval(secs => :bucketSeconds), r.ts, TIMESTAMPTZ '2000-01-01 00:00:00+00')";
        List<String> keys = family.keyColumns();
        String keyList = keys.stream().map(k -> "r." + k + ", ").collect(Collectors.joining());
        String keyNames = keys.stream().map(k -> k + ", ").collect(Collectors.joining());
        String where = " WHERE r.ts >= :from AND r.ts < :to";

        StringBuilder sql = new StringBuilder("WITH b AS (SELECT r.host_key, ").append(keyList).append(bucket)
                .append(" AS ts, ").append(fromRaw ? "count(*)" : "sum(r.samples)").append("::integer AS samples");
        for (String column : family.scalarColumns()) {
            sql.append(", (sum(r.").append(column).append("::float8 * ").append(weight).append(") / nullif(sum(")
                    .append(weight).append(") FILTER (WHERE r.").append(column).append(" IS NOT NULL), 0))::real AS ")
                    .append(column);
        }
        sql.append(" FROM ").append(src).append(" r").append(where).append(" GROUP BY r.host_key, ").append(keyList)
                .append(keys.size() + 2).append(")");
        List<String> arrays = family.arrayColumns();
        if (!arrays.isEmpty()) {
            String unnestArgs = arrays.stream().map(c -> "r." + c).collect(Collectors.joining(", "));
            String unnestNames = String.join(", ", arrays);
            sql.append(", e AS (SELECT r.host_key, ").append(bucket).append(" AS ts, u.i");
            for (String column : arrays) {
                // raw rows hold real[]; rollup rows hold smallint[] times a scale per array
                String value = fromRaw ? "u." + column + "::float8" : "u." + column + " * r." + column + "_scale::float8";
                sql.append(", (sum(").append(value).append(" * ").append(weight).append(") / nullif(sum(")
                        .append(weight).append(") FILTER (WHERE u.").append(column)
                        .append(" IS NOT NULL), 0))::real AS ").append(column);
            }
            sql.append(" FROM ").append(src).append(" r CROSS JOIN LATERAL unnest(").append(unnestArgs)
                    .append(") WITH ORDINALITY AS u(").append(unnestNames).append(", i)").append(where)
                    .append(" GROUP BY 1, 2, 3)");
            sql.append(", a AS (SELECT host_key, ts");
            for (String column : arrays) {
                sql.append(", CASE WHEN count(").append(column).append(") = 0 THEN NULL ELSE array_agg(")
                        .append(column).append(" ORDER BY i) END AS ").append(column);
            }
            sql.append(" FROM e GROUP BY 1, 2)");
        }
        List<String> values = new ArrayList<>(List.of("samples"));
        values.addAll(family.scalarColumns());
        for (String column : arrays) {
            values.add(column + "_scale");
            values.add(column);
        }
        sql.append(" INSERT INTO ").append(dst).append(" AS t (host_key, ").append(keyNames).append("ts, ")
                .append(String.join(", ", values)).append(") SELECT b.host_key, ")
                .append(keys.stream().map(k -> "b." + k + ", ").collect(Collectors.joining())).append("b.ts, b.samples");
        for (String column : family.scalarColumns()) {
            sql.append(", b.").append(column);
        }
        for (String column : arrays) {
            sql.append(", tv_scale(a.").append(column).append("), tv_quantize(a.").append(column)
                    .append(", tv_scale(a.").append(column).append("))");
        }
        sql.append(" FROM b");
        if (!arrays.isEmpty()) {
            sql.append(" LEFT JOIN a ON a.host_key = b.host_key AND a.ts = b.ts");
        }
        sql.append(" ON CONFLICT (").append(String.join(", ", family.primaryKey())).append(") DO UPDATE SET ")
                .append(values.stream().map(c -> c + " = EXCLUDED." + c).collect(Collectors.joining(", ")));
        return sql.toString();
    }

    private Optional<Instant> progress(String table) {
        return jdbi.withHandle(handle -> handle.createQuery(
                        "SELECT rolled_until FROM rollup_progress WHERE target_table = :table")
                .bind("table", table)
                .mapTo(OffsetDateTime.class)
                .findOne()
                .map(OffsetDateTime::toInstant));
    }

    private void saveProgress(String table, Instant until) {
        jdbi.useHandle(handle -> handle.createUpdate("""
                        INSERT INTO rollup_progress (target_table, rolled_until) VALUES (:table, :until)
                        ON CONFLICT (target_table) DO UPDATE SET rolled_until = EXCLUDED.rolled_until
                        WHERE EXCLUDED.rolled_until > rollup_progress.rolled_until
                        """)
                .bind("table", table)
                .bind("until", OffsetDateTime.ofInstant(until, ZoneOffset.UTC))
                .execute());
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
