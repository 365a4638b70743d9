package io.tunnelvision.api.db;

import static io.tunnelvision.api.db.RollupUpdate.instant;
import static io.tunnelvision.api.db.RollupUpdate.real;
import static io.tunnelvision.api.db.RollupUpdate.utc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/**
 * Egress queues: every qdisc's counters and backlog and the transmit queues' byte queue limits, their rollups, the
 * host's latest two samples and their history. A qdisc is (interface, parent, handle), parent '' for the root. Rates
 * are per second from the counter deltas between consecutive samples of a qdisc: an interval whose bytes went down or
 * whose kind changed (the qdisc was reset or replaced) or that is longer than {@link #MAX_INTERVAL} has none, never a
 * negative or a 0; the 32-bit counters (drops, overlimits, requeues) wrap as the rules' {@code Counters.delta32} says.
 * Table names come from {@link PartitionedTable#qdiscs} and {@link PartitionedTable#txQueues}; the rest is bound.
 */
public final class QdiscDao {

    /** Intervals longer than this between two samples of a qdisc give no rate: the agent was not collecting. */
    public static final Duration MAX_INTERVAL = WireguardDao.MAX_INTERVAL;
    /** The counters whose rates the rollups keep, each {@code <name>_per_s}; bytes is 64-bit, the others 32-bit. */
    static final List<String> COUNTERS = List.of("bytes", "drops", "overlimits", "requeues");

    private static final String BUCKET =
            "date_bin(make_interval(secs => :bucketSeconds), ts, TIMESTAMPTZ '2000-01-01 00:00:00+00')";

    private final Jdbi jdbi;

    public QdiscDao(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** One qdisc of one raw sample, its counters as read; {@code parent} null for the root. */
    public record QdiscRow(Instant sampledAt, String iface, String kind, String handle, String parent, long bytes,
                           long packets, long drops, long overlimits, long requeues, long backlogBytes,
                           long backlogPackets) {
    }

    /** One transmit queue's byte queue limits in one raw sample. */
    public record TxQueueRow(Instant sampledAt, String iface, int queue, Long bqlLimit, Long bqlInflight,
                             Long bqlLimitMax) {
    }

    /** One bucket of one qdisc's history; rates null where no interval of the bucket had one. */
    public record Bucket(Instant t, String iface, String parent, String handle, String kind, long samples,
                         Double bytesPerSecond, Double dropsPerSecond, Double overlimitsPerSecond,
                         Double requeuesPerSecond, double backlogBytesAvg, long backlogBytesMax,
                         double backlogPacketsAvg, long backlogPacketsMax) {
    }

    /** One bucket of one transmit queue's byte queue limits. */
    public record TxQueueBucket(Instant t, String iface, int queue, long samples, Double bqlLimitAvg, Long bqlLimitMin,
                                Double bqlInflightAvg, Long bqlInflightMax, Long bqlLimitMax) {
    }

    /** The host's latest qdisc sample and the one before it (within {@link #MAX_INTERVAL}; empty when none). */
    public record LatestSamples(List<QdiscRow> latest, List<QdiscRow> previous, List<TxQueueRow> txQueues) {
    }

    // ---- qdisc rollups -----------------------------------------------------------------------------------------

    /**
     * Deltas between consecutive raw samples of each qdisc in {@code [:from, :to)}; the window reaches back
     * {@link #MAX_INTERVAL} for the sample before the first. {@code ok}: the interval has rates. {@code filter} is
     * constant text.
     */
    static String rawDeltas(String filter) {
        String deltas = COUNTERS.stream()
                .map(c -> c.equals("bytes") ? CounterRates.delta64(c) : CounterRates.delta32(c))
                .collect(Collectors.joining(", "));
        return "WITH d AS (SELECT host_key, iface, parent, handle, ts, kind, backlog_bytes, backlog_packets, " + deltas
                + ", extract(epoch FROM ts - lag(ts) OVER w)::float8 AS dt, kind = lag(kind) OVER w AS same_kind"
                + " FROM " + PartitionedTable.qdiscs(Tier.RAW).name()
                + " WHERE ts >= CAST(:from AS timestamptz) - make_interval(secs => " + MAX_INTERVAL.toSeconds() + ")"
                + " AND ts < :to" + filter
                + " WINDOW w AS (PARTITION BY host_key, iface, parent, handle ORDER BY ts)),"
                + " v AS (SELECT *, coalesce(same_kind AND dt > 0 AND dt <= " + MAX_INTERVAL.toSeconds()
                + " AND d_bytes IS NOT NULL, false) AS ok FROM d WHERE ts >= :from)";
    }

    static final String ROLLUP_COLUMNS = "host_key, iface, parent, handle, ts, samples, rate_seconds, bytes_per_s,"
            + " drops_per_s, overlimits_per_s, requeues_per_s, backlog_bytes_avg, backlog_bytes_max,"
            + " backlog_packets_avg, backlog_packets_max, kind";

    /** Buckets of {@code :bucketSeconds} over the raw deltas: the rollup tables' columns. */
    static String rawBuckets() {
        return "SELECT host_key, iface, parent, handle, " + BUCKET + " AS ts, count(*)::integer AS samples, "
                + CounterRates.fromDeltas(COUNTERS) + ","
                + " avg(backlog_bytes)::real AS backlog_bytes_avg, max(backlog_bytes) AS backlog_bytes_max,"
                + " avg(backlog_packets)::real AS backlog_packets_avg, max(backlog_packets) AS backlog_packets_max,"
                + " (array_agg(kind ORDER BY ts DESC))[1] AS kind FROM v GROUP BY 1, 2, 3, 4, 5";
    }

    /** Buckets of {@code :bucketSeconds} over a rollup tier: rates weighted by their seconds, backlogs by samples. */
    static String rollupBuckets(Tier source, String filter) {
        return "SELECT host_key, iface, parent, handle, " + BUCKET + " AS ts, sum(samples)::integer AS samples, "
                + CounterRates.fromRollups(COUNTERS) + ","
                + " (sum(backlog_bytes_avg::float8 * samples) / sum(samples))::real AS backlog_bytes_avg,"
                + " max(backlog_bytes_max) AS backlog_bytes_max,"
                + " (sum(backlog_packets_avg::float8 * samples) / sum(samples))::real AS backlog_packets_avg,"
                + " max(backlog_packets_max) AS backlog_packets_max, (array_agg(kind ORDER BY ts DESC))[1] AS kind"
                + " FROM " + PartitionedTable.qdiscs(source).name()
                + " WHERE ts >= :from AND ts < :to" + filter + " GROUP BY 1, 2, 3, 4, 5";
    }

    /** The upsert that builds {@code target}'s qdisc table from the tier below it for {@code [:from, :to)}. */
    static String rollupSql(Tier target) {
        String insert = "INSERT INTO " + PartitionedTable.qdiscs(target).name() + " AS t (" + ROLLUP_COLUMNS + ") ";
        String select = target.source() == Tier.RAW ? rawDeltas("") + " " + insert + rawBuckets()
                : insert + rollupBuckets(target.source(), "");
        return select + " ON CONFLICT (host_key, iface, parent, handle, ts) DO UPDATE SET "
                + CounterRates.updateAll(ROLLUP_COLUMNS, 5);
    }

    /** Rolls the qdiscs of the tier below {@code target} up into it for {@code [from, to)}; the rows upserted. */
    public int rollUp(Tier target, Instant from, Instant to) {
        return RollupUpdate.execute(jdbi, rollupSql(target), target, from, to);
    }

    // ---- transmit queue rollups --------------------------------------------------------------------------------

    static final String TX_ROLLUP_COLUMNS = "host_key, iface, queue, ts, samples, bql_limit_avg, bql_limit_min,"
            + " bql_inflight_avg, bql_inflight_max, bql_limit_max";

    /** Buckets of {@code :bucketSeconds} over a tier's transmit queues in {@code [:from, :to)}. */
    static String txBuckets(Tier source, String filter) {
        boolean raw = source == Tier.RAW;
        String weight = raw ? "1" : "samples";
        return "SELECT host_key, iface, queue, " + BUCKET + " AS ts, "
                + (raw ? "count(*)" : "sum(samples)") + "::integer AS samples, "
                + weighted(raw ? "bql_limit" : "bql_limit_avg", weight) + " AS bql_limit_avg, min("
                + (raw ? "bql_limit" : "bql_limit_min") + ") AS bql_limit_min, "
                + weighted(raw ? "bql_inflight" : "bql_inflight_avg", weight) + " AS bql_inflight_avg, max("
                + (raw ? "bql_inflight" : "bql_inflight_max") + ") AS bql_inflight_max,"
                + " (array_agg(bql_limit_max ORDER BY ts DESC))[1] AS bql_limit_max"
                + " FROM " + PartitionedTable.txQueues(source).name()
                + " WHERE ts >= :from AND ts < :to" + filter + " GROUP BY 1, 2, 3, 4";
    }

    private static String weighted(String column, String weight) {
        return "(sum(" + column + "::float8 * " + weight + ") / nullif(sum(" + weight + ") FILTER (WHERE " + column
                + " IS NOT NULL), 0))::real";
    }

    /** The upsert that builds {@code target}'s transmit queue table from the tier below it. */
    static String txRollupSql(Tier target) {
        return "INSERT INTO " + PartitionedTable.txQueues(target).name() + " AS t (" + TX_ROLLUP_COLUMNS + ") "
                + "SELECT " + TX_ROLLUP_COLUMNS + " FROM (" + txBuckets(target.source(), "") + ") b"
                + " ON CONFLICT (host_key, iface, queue, ts) DO UPDATE SET "
                + CounterRates.updateAll(TX_ROLLUP_COLUMNS, 4);
    }

    /** Rolls the transmit queues of the tier below {@code target} up into it for {@code [from, to)}. */
    public int rollUpTxQueues(Tier target, Instant from, Instant to) {
        return RollupUpdate.execute(jdbi, txRollupSql(target), target, from, to);
    }

    // ---- reads -------------------------------------------------------------------------------------------------

    /** The host's latest qdisc sample still in the raw tier, the one before it, and the latest BQL readings. */
    public LatestSamples latest(int hostKey) {
        return jdbi.withHandle(handle -> {
            List<QdiscRow> rows = handle.createQuery("""
                            WITH last AS (SELECT max(ts) AS ts FROM qdiscs WHERE host_key = :hostKey),
                            prev AS (SELECT max(q.ts) AS ts FROM qdiscs q, last WHERE q.host_key = :hostKey
                                     AND q.ts < last.ts
                                     AND q.ts >= last.ts - make_interval(secs => :maxIntervalSeconds))
                            SELECT q.* FROM qdiscs q, last, prev
                            WHERE q.host_key = :hostKey AND (q.ts = last.ts OR q.ts = prev.ts)
                            ORDER BY q.ts, q.iface, q.parent <> '', q.parent, q.handle
                            """)
                    .bind("hostKey", hostKey)
                    .bind("maxIntervalSeconds", MAX_INTERVAL.toSeconds())
                    .map(QdiscDao::qdiscRow)
                    .list();
            List<TxQueueRow> txQueues = handle.createQuery("""
                            SELECT * FROM tx_queues WHERE host_key = :hostKey
                              AND ts = (SELECT max(ts) FROM tx_queues WHERE host_key = :hostKey)
                            ORDER BY iface, queue
                            """)
                    .bind("hostKey", hostKey)
                    .map((rs, ctx) -> new TxQueueRow(instant(rs, "ts"), rs.getString("iface"), rs.getInt("queue"),
                            (Long) rs.getObject("bql_limit"), (Long) rs.getObject("bql_inflight"),
                            (Long) rs.getObject("bql_limit_max")))
                    .list();
            Instant last = rows.isEmpty() ? null : rows.get(rows.size() - 1).sampledAt();
            return new LatestSamples(rows.stream().filter(r -> r.sampledAt().equals(last)).toList(),
                    rows.stream().filter(r -> !r.sampledAt().equals(last)).toList(), txQueues);
        });
    }

    private static QdiscRow qdiscRow(ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws SQLException {
        String parent = rs.getString("parent");
        return new QdiscRow(instant(rs, "ts"), rs.getString("iface"), rs.getString("kind"), rs.getString("handle"),
                parent.isEmpty() ? null : parent, rs.getLong("bytes"), rs.getLong("packets"), rs.getLong("drops"),
                rs.getLong("overlimits"), rs.getLong("requeues"), rs.getLong("backlog_bytes"),
                rs.getLong("backlog_packets"));
    }

    /** The host's qdiscs in buckets of {@code step} from {@code tier}; {@code iface} null for every interface. */
    public List<Bucket> history(Tier tier, int hostKey, String iface, Instant from, Instant to, Duration step) {
        String filter = " AND host_key = :hostKey AND (CAST(:iface AS text) IS NULL OR iface = :iface)";
        String sql = (tier == Tier.RAW ? rawDeltas(filter) + " " + rawBuckets() : rollupBuckets(tier, filter))
                + " ORDER BY ts, iface, parent <> '', parent, handle";
        return jdbi.withHandle(handle -> handle.createQuery(sql)
                .bind("hostKey", hostKey)
                .bind("iface", iface)
                .bind("from", utc(from))
                .bind("to", utc(to))
                .bind("bucketSeconds", step.toSeconds())
                .map((rs, ctx) -> {
                    String parent = rs.getString("parent");
                    return new Bucket(instant(rs, "ts"), rs.getString("iface"), parent.isEmpty() ? null : parent,
                            rs.getString("handle"), rs.getString("kind"), rs.getLong("samples"),
                            real(rs, "bytes_per_s"), real(rs, "drops_per_s"), real(rs, "overlimits_per_s"),
                            real(rs, "requeues_per_s"), rs.getFloat("backlog_bytes_avg"),
                            rs.getLong("backlog_bytes_max"), rs.getFloat("backlog_packets_avg"),
                            rs.getLong("backlog_packets_max"));
                })
                .list());
    }

    /** The host's transmit queues' byte queue limits in buckets of {@code step} from {@code tier}. */
    public List<TxQueueBucket> txQueueHistory(Tier tier, int hostKey, String iface, Instant from, Instant to,
                                              Duration step) {
        String filter = " AND host_key = :hostKey AND (CAST(:iface AS text) IS NULL OR iface = :iface)";
        String sql = txBuckets(tier, filter) + " ORDER BY ts, iface, queue";
        return jdbi.withHandle(handle -> handle.createQuery(sql)
                .bind("hostKey", hostKey)
                .bind("iface", iface)
                .bind("from", utc(from))
                .bind("to", utc(to))
                .bind("bucketSeconds", step.toSeconds())
                .map((rs, ctx) -> new TxQueueBucket(instant(rs, "ts"), rs.getString("iface"), rs.getInt("queue"),
                        rs.getLong("samples"), real(rs, "bql_limit_avg"), (Long) rs.getObject("bql_limit_min"),
                        real(rs, "bql_inflight_avg"), (Long) rs.getObject("bql_inflight_max"),
                        (Long) rs.getObject("bql_limit_max")))
                .list());
    }
}
