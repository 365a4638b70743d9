package io.tunnelvision.api.db;

import static io.tunnelvision.api.db.RollupUpdate.instant;
import static io.tunnelvision.api.db.RollupUpdate.utc;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * Path-MTU probes of the WireGuard peers: each path as the host's latest sample saw it, their rollups and their
 * history. A bucket keeps the smallest sizes of its samples (the worst the path did in it) and how many of them were
 * black-holed. Table names come from {@link PartitionedTable#pmtu}; everything else is bound.
 */
public final class PmtuDao {

    private static final String BUCKET =
            "date_bin(make_interval(secs => :bucketSeconds), ts, TIMESTAMPTZ '2000-01-01 00:00:00+00')";

    private final Jdbi jdbi;

    public PmtuDao(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** One path of the host's latest path-MTU sample. */
    public record PathState(String iface, String peer, String address, Instant sampledAt, int tunnelMtu,
                            Integer largestPassed, Integer smallestFailed, Integer reportedMtu, boolean blackholed) {
    }

    /** One bucket of one path's history. */
    public record Bucket(Instant t, String iface, String peer, long samples, long blackholedSamples, int tunnelMtu,
                         Integer largestPassedMin, Integer smallestFailedMin, Integer reportedMtuMin) {
    }

    static final String ROLLUP_COLUMNS = "host_key, iface, peer, ts, samples, blackholed_samples, tunnel_mtu,"
            + " largest_passed_min, smallest_failed_min, reported_mtu_min, address";

    /** Buckets of {@code :bucketSeconds} over the raw rows in {@code [:from, :to)}; {@code filter} is constant text. */
    static String rawBuckets(String filter) {
        return "SELECT host_key, iface, peer, " + BUCKET + " AS ts, count(*)::integer AS samples,"
                + " count(*) FILTER (WHERE blackholed)::integer AS blackholed_samples,"
                + " (array_agg(tunnel_mtu ORDER BY ts DESC))[1] AS tunnel_mtu,"
                + " min(largest_passed) AS largest_passed_min, min(smallest_failed) AS smallest_failed_min,"
                + " min(reported_mtu) AS reported_mtu_min, (array_agg(address ORDER BY ts DESC))[1] AS address"
                + " FROM " + PartitionedTable.pmtu(Tier.RAW).name()
                + " WHERE ts >= :from AND ts < :to" + filter + " GROUP BY 1, 2, 3, 4";
    }

    /** Buckets of {@code :bucketSeconds} over a rollup tier. */
    static String rollupBuckets(Tier source, String filter) {
        return "SELECT host_key, iface, peer, " + BUCKET + " AS ts, sum(samples)::integer AS samples,"
                + " sum(blackholed_samples)::integer AS blackholed_samples,"
                + " (array_agg(tunnel_mtu ORDER BY ts DESC))[1] AS tunnel_mtu,"
                + " min(largest_passed_min) AS largest_passed_min, min(smallest_failed_min) AS smallest_failed_min,"
                + " min(reported_mtu_min) AS reported_mtu_min, (array_agg(address ORDER BY ts DESC))[1] AS address"
                + " FROM " + PartitionedTable.pmtu(source).name()
                + " WHERE ts >= :from AND ts < :to" + filter + " GROUP BY 1, 2, 3, 4";
    }

    /** The upsert that builds {@code target} from the tier below it for {@code [:from, :to)}. */
    static String rollupSql(Tier target) {
        String select = target.source() == Tier.RAW ? rawBuckets("") : rollupBuckets(target.source(), "");
        return "INSERT INTO " + PartitionedTable.pmtu(target).name() + " AS t (" + ROLLUP_COLUMNS + ") "
                + "SELECT " + ROLLUP_COLUMNS + " FROM (" + select + ") b"
                + " ON CONFLICT (host_key, iface, peer, ts) DO UPDATE SET samples = EXCLUDED.samples,"
                + " blackholed_samples = EXCLUDED.blackholed_samples, tunnel_mtu = EXCLUDED.tunnel_mtu,"
                + " largest_passed_min = EXCLUDED.largest_passed_min,"
                + " smallest_failed_min = EXCLUDED.smallest_failed_min, reported_mtu_min = EXCLUDED.reported_mtu_min,"
                + " address = EXCLUDED.address";
    }

    /** Rolls the tier below {@code target} up into it for {@code [from, to)}; returns the rows upserted. */
    public int rollUp(Tier target, Instant from, Instant to) {
        return RollupUpdate.execute(jdbi, rollupSql(target), target, from, to);
    }

    /** Every path of the host's latest path-MTU sample still in the raw tier, by interface, then peer. */
    public List<PathState> latest(int hostKey) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT iface, peer, address, ts, tunnel_mtu, largest_passed, smallest_failed, reported_mtu,
                               blackholed
                        FROM pmtu_paths
                        WHERE host_key = :hostKey AND ts = (SELECT max(ts) FROM pmtu_paths WHERE host_key = :hostKey)
                        ORDER BY iface, peer
                        """)
                .bind("hostKey", hostKey)
                .map((rs, ctx) -> new PathState(rs.getString("iface"), rs.getString("peer"), rs.getString("address"),
                        instant(rs, "ts"), rs.getInt("tunnel_mtu"), (Integer) rs.getObject("largest_passed"),
                        (Integer) rs.getObject("smallest_failed"), (Integer) rs.getObject("reported_mtu"),
                        rs.getBoolean("blackholed")))
                .list());
    }

    /** The host's paths in buckets of {@code step} from {@code tier}; {@code iface} null for every interface. */
    public List<Bucket> history(Tier tier, int hostKey, String iface, Instant from, Instant to, Duration step) {
        String filter = " AND host_key = :hostKey AND (CAST(:iface AS text) IS NULL OR iface = :iface)";
        String sql = (tier == Tier.RAW ? rawBuckets(filter) : rollupBuckets(tier, filter)) + " ORDER BY ts, iface, peer";
        return jdbi.withHandle(handle -> handle.createQuery(sql)
                .bind("hostKey", hostKey)
                .bind("iface", iface)
                .bind("from", utc(from))
                .bind("to", utc(to))
                .bind("bucketSeconds", step.toSeconds())
                .map((rs, ctx) -> new Bucket(instant(rs, "ts"), rs.getString("iface"), rs.getString("peer"),
                        rs.getLong("samples"), rs.getLong("blackholed_samples"), rs.getInt("tunnel_mtu"),
                        (Integer) rs.getObject("largest_passed_min"), (Integer) rs.getObject("smallest_failed_min"),
                        (Integer) rs.getObject("reported_mtu_min")))
                .list());
    }
}
