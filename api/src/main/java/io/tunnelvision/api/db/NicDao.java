package io.tunnelvision.api.db;

import static io.tunnelvision.api.db.RollupUpdate.instant;
import static io.tunnelvision.api.db.RollupUpdate.real;
import static io.tunnelvision.api.db.RollupUpdate.utc;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * NICs: their settings (rings, channels, coalescing, offloads) and drop counters, their rollups, the host's latest two
 * samples and their history. Rates are per second from the counter deltas between consecutive samples of a NIC: an
 * interval in which a counter went down (a driver reload resets them) or that is longer than {@link #MAX_INTERVAL} has none,
 * never a negative or a 0. Table names come from {@link PartitionedTable#nics}; everything else is bound.
 */
public final class NicDao {

    /** Intervals longer than this between two samples of a NIC give no rate: the agent was not collecting. */
    public static final Duration MAX_INTERVAL = WireguardDao.MAX_INTERVAL;
    /** The device-wide counters (the agent's normalised -S names) whose rates the rollups keep, 64-bit. */
    public static final List<String> COUNTERS = List.of("rx_missed", "rx_no_buffer", "rx_dropped", "tx_dropped");
    /**
     * The offloads stored and shown (ethtool -k names): UDP GRO forwarding (what wireguard-go's and the kernel's UDP
     * tunnels gain from), the GRO variants and the segmentation offloads that batch a tunnel's packets.
     */
    public static final List<String> OFFLOADS = List.of("rx-udp-gro-forwarding", "generic-receive-offload",
            "rx-gro-list", "rx-gro-hw", "large-receive-offload", "generic-segmentation-offload",
            "tcp-segmentation-offload", "tx-udp-segmentation", "rx-checksumming", "tx-checksumming");

    private static final String BUCKET =
            "date_bin(make_interval(secs => :bucketSeconds), ts, TIMESTAMPTZ '2000-01-01 00:00:00+00')";
    private static final List<String> SETTINGS = List.of("rx_ring", "rx_ring_max", "combined_channels",
            "combined_channels_max", "rx_channels", "rx_channels_max", "rx_usecs", "adaptive_rx");

    private final Jdbi jdbi;

    public NicDao(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** One NIC of one raw sample; counters null where the driver reports none, queue arrays indexed by queue. */
    public record NicRow(Instant sampledAt, String iface, String driver, Integer rxRing, Integer rxRingMax,
                         Integer txRing, Integer txRingMax, Integer combinedChannels, Integer combinedChannelsMax,
                         Integer rxChannels, Integer rxChannelsMax, Integer rxUsecs, Integer rxFrames, Integer txUsecs,
                         Boolean adaptiveRx, List<String> offloadsOn, List<String> offloadsOff, Long rxMissed, Long rxNoBuffer, Long rxDropped,
                         Long txDropped, Long[] queueRxDrops, Long[] queueTxDrops) {
    }

    /** The host's latest NIC sample and the one before it (within {@link #MAX_INTERVAL}; empty when none). */
    public record LatestSamples(List<NicRow> latest, List<NicRow> previous) {
    }

    /** One bucket of one NIC's history; rates null where no interval of the bucket had one. */
    public record Bucket(Instant t, String iface, long samples, Double rxMissedPerSecond, Double rxNoBufferPerSecond,
                         Double rxDroppedPerSecond, Double txDroppedPerSecond, Integer rxRing, Integer rxRingMax,
                         Integer combinedChannels, Integer combinedChannelsMax, Integer rxChannels,
                         Integer rxChannelsMax, Integer rxUsecs, Boolean adaptiveRx) {
    }

    /** The last non-null value of a setting in the bucket. */
    private static String last(String column) {
        return "(array_agg(" + column + " ORDER BY ts DESC) FILTER (WHERE " + column + " IS NOT NULL))[1] AS " + column;
    }

    /**
     * Deltas between consecutive raw samples of each NIC in {@code [:from, :to)}; {@code filter} is constant text. An
     * interval in which any counter went down has no rates at all: a driver reload resets every counter, so one rate
     * seconds column serves every counter of a row.
     */
    static String rawDeltas(String filter) {
        String deltas = COUNTERS.stream().map(CounterRates::delta64).collect(Collectors.joining(", "));
        String wentDown = COUNTERS.stream().map(c -> "coalesce(" + c + " < lag(" + c + ") OVER w, false)")
                .collect(Collectors.joining(" OR "));
        return "WITH d AS (SELECT host_key, iface, ts, " + String.join(", ", SETTINGS) + ", " + deltas
                + ", extract(epoch FROM ts - lag(ts) OVER w)::float8 AS dt, " + wentDown + " AS went_down"
                + " FROM " + PartitionedTable.nics(Tier.RAW).name()
                + " WHERE ts >= CAST(:from AS timestamptz) - make_interval(secs => " + MAX_INTERVAL.toSeconds() + ")"
                + " AND ts < :to" + filter + " WINDOW w AS (PARTITION BY host_key, iface ORDER BY ts)),"
                + " v AS (SELECT *, coalesce(dt > 0 AND dt <= " + MAX_INTERVAL.toSeconds() + " AND NOT went_down, false)"
                + " AS ok"
                + " FROM d WHERE ts >= :from)";
    }

    static final String ROLLUP_COLUMNS = "host_key, iface, ts, samples, rate_seconds, rx_missed_per_s,"
            + " rx_no_buffer_per_s, rx_dropped_per_s, tx_dropped_per_s, " + String.join(", ", SETTINGS);

    /** Buckets of {@code :bucketSeconds} over the raw deltas: the rollup tables' columns. */
    static String rawBuckets() {
        return "SELECT host_key, iface, " + BUCKET + " AS ts, count(*)::integer AS samples, "
                + CounterRates.fromDeltas(COUNTERS) + ", "
                + SETTINGS.stream().map(NicDao::last).collect(Collectors.joining(", ")) + " FROM v GROUP BY 1, 2, 3";
    }

    /** Buckets of {@code :bucketSeconds} over a rollup tier: rates weighted by the seconds they cover. */
    static String rollupBuckets(Tier source, String filter) {
        return "SELECT host_key, iface, " + BUCKET + " AS ts, sum(samples)::integer AS samples, "
                + CounterRates.fromRollups(COUNTERS) + ", "
                + SETTINGS.stream().map(NicDao::last).collect(Collectors.joining(", "))
                + " FROM " + PartitionedTable.nics(source).name() + " WHERE ts >= :from AND ts < :to" + filter
                + " GROUP BY 1, 2, 3";
    }

    /** The upsert that builds {@code target}'s NIC table from the tier below it for {@code [:from, :to)}. */
    static String rollupSql(Tier target) {
        String insert = "INSERT INTO " + PartitionedTable.nics(target).name() + " AS t (" + ROLLUP_COLUMNS + ") ";
        String select = target.source() == Tier.RAW ? rawDeltas("") + " " + insert + rawBuckets()
                : insert + rollupBuckets(target.source(), "");
        return select + " ON CONFLICT (host_key, iface, ts) DO UPDATE SET "
                + CounterRates.updateAll(ROLLUP_COLUMNS, 3);
    }

    /** Rolls the NICs of the tier below {@code target} up into it for {@code [from, to)}; the rows upserted. */
    public int rollUp(Tier target, Instant from, Instant to) {
        return RollupUpdate.execute(jdbi, rollupSql(target), target, from, to);
    }

    /** The host's latest NIC sample still in the raw tier and the one before it. */
    public LatestSamples latest(int hostKey) {
        List<NicRow> rows = jdbi.withHandle(handle -> handle.createQuery("""
                        WITH last AS (SELECT max(ts) AS ts FROM nics WHERE host_key = :hostKey),
                        prev AS (SELECT max(n.ts) AS ts FROM nics n, last WHERE n.host_key = :hostKey
                                 AND n.ts < last.ts AND n.ts >= last.ts - make_interval(secs => :maxIntervalSeconds))
                        SELECT n.* FROM nics n, last, prev
                        WHERE n.host_key = :hostKey AND (n.ts = last.ts OR n.ts = prev.ts)
                        ORDER BY n.ts, n.iface
                        """)
                .bind("hostKey", hostKey)
                .bind("maxIntervalSeconds", MAX_INTERVAL.toSeconds())
                .map(NicDao::nicRow)
                .list());
        Instant last = rows.isEmpty() ? null : rows.get(rows.size() - 1).sampledAt();
        return new LatestSamples(rows.stream().filter(r -> r.sampledAt().equals(last)).toList(),
                rows.stream().filter(r -> !r.sampledAt().equals(last)).toList());
    }

    private static NicRow nicRow(ResultSet rs, StatementContext ctx) throws SQLException {
        return new NicRow(instant(rs, "ts"), rs.getString("iface"), rs.getString("driver"), integer(rs, "rx_ring"),
                integer(rs, "rx_ring_max"), integer(rs, "tx_ring"), integer(rs, "tx_ring_max"),
                integer(rs, "combined_channels"), integer(rs, "combined_channels_max"), integer(rs, "rx_channels"),
                integer(rs, "rx_channels_max"), integer(rs, "rx_usecs"), integer(rs, "rx_frames"),
                integer(rs, "tx_usecs"), (Boolean) rs.getObject("adaptive_rx"), texts(rs, "offloads_on"), texts(rs, "offloads_off"),
                (Long) rs.getObject("rx_missed"), (Long) rs.getObject("rx_no_buffer"),
                (Long) rs.getObject("rx_dropped"), (Long) rs.getObject("tx_dropped"), longs(rs, "queue_rx_drops"),
                longs(rs, "queue_tx_drops"));
    }

    private static Integer integer(ResultSet rs, String column) throws SQLException {
        return (Integer) rs.getObject(column);
    }

    private static List<String> texts(ResultSet rs, String column) throws SQLException {
        Array array = rs.getArray(column);
        return array == null ? List.of() : List.of((String[]) array.getArray());
    }

    private static Long[] longs(ResultSet rs, String column) throws SQLException {
        Array array = rs.getArray(column);
        return array == null ? new Long[0] : (Long[]) array.getArray();
    }

    /** The host's NICs in buckets of {@code step} from {@code tier}; {@code iface} null for every NIC. */
    public List<Bucket> history(Tier tier, int hostKey, String iface, Instant from, Instant to, Duration step) {
        String filter = " AND host_key = :hostKey AND (CAST(:iface AS text) IS NULL OR iface = :iface)";
        String sql = (tier == Tier.RAW ? rawDeltas(filter) + " " + rawBuckets() : rollupBuckets(tier, filter))
                + " ORDER BY ts, iface";
        return jdbi.withHandle(handle -> handle.createQuery(sql)
                .bind("hostKey", hostKey)
                .bind("iface", iface)
                .bind("from", utc(from))
                .bind("to", utc(to))
                .bind("bucketSeconds", step.toSeconds())
                .map((rs, ctx) -> new Bucket(instant(rs, "ts"), rs.getString("iface"), rs.getLong("samples"),
                        real(rs, "rx_missed_per_s"), real(rs, "rx_no_buffer_per_s"), real(rs, "rx_dropped_per_s"),
                        real(rs, "tx_dropped_per_s"), integer(rs, "rx_ring"), integer(rs, "rx_ring_max"),
                        integer(rs, "combined_channels"), integer(rs, "combined_channels_max"),
                        integer(rs, "rx_channels"), integer(rs, "rx_channels_max"), integer(rs, "rx_usecs"),
                        (Boolean) rs.getObject("adaptive_rx")))
                .list());
    }
}
