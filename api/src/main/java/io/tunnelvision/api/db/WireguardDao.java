package io.tunnelvision.api.db;

import static io.tunnelvision.api.db.RollupUpdate.instant;
import static io.tunnelvision.api.db.RollupUpdate.real;
import static io.tunnelvision.api.db.RollupUpdate.utc;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * WireGuard peers: their rollups, their latest state and their history. Rates are bytes per second from the
 * counter deltas between consecutive samples of a peer; an interval whose counter decreased (the interface was
 * reset) or that is longer than {@link #MAX_INTERVAL} (the agent was away) has no rate, never a negative or a 0.
 * Table names come from {@link PartitionedTable#wireguard}; everything else is bound.
 */
public final class WireguardDao {

    /** Intervals longer than this between two samples of a peer give no rate: the agent was not collecting. */
    public static final Duration MAX_INTERVAL = Duration.ofMinutes(15);
    /** A handshake older than this while the peer is configured means the tunnel is down (TUNNEL_DOWN). */
    public static final Duration STALE_AFTER = Duration.ofSeconds(180);

    private static final String BUCKET =
            "date_bin(make_interval(secs => :bucketSeconds), ts, TIMESTAMPTZ '2000-01-01 00:00:00+00')";

    private final Jdbi jdbi;

    public WireguardDao(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** One peer as the host's latest sample saw it, with its rates over the interval before that sample. */
    public record PeerState(String iface, String peerKey, String endpoint, int allowedIps, Instant sampledAt,
                            Instant latestHandshake, Integer handshakeAgeSeconds, Integer keepaliveSeconds,
                            long rxBytes, long txBytes, Double rxBytesPerSecond, Double txBytesPerSecond) {
    }

    /** One bucket of one peer's history. */
    public record Bucket(Instant t, String iface, long samples, Integer handshakeAgeMaxSeconds,
                         Double rxBytesPerSecond, Double txBytesPerSecond, String endpoint) {
    }

    /** The peer's endpoint moved (roaming, NAT rebinding) between two rows of a tier. */
    public record EndpointChange(Instant t, String iface, String from, String to) {
    }

    /**
     * Deltas between consecutive raw samples of each peer in {@code [from, to)} ({@code :from}, {@code :to}); the
     * window reaches back {@link #MAX_INTERVAL} for the sample before the first. {@code filter} narrows the rows
     * (host, peer) and is constant text.
     */
    static String rawDeltas(String filter) {
        return "WITH d AS (SELECT host_key, iface, peer_key, ts, endpoint, handshake_age_s,"
                + " rx_bytes - lag(rx_bytes) OVER w AS drx, tx_bytes - lag(tx_bytes) OVER w AS dtx,"
                + " extract(epoch FROM ts - lag(ts) OVER w)::float8 AS dt"
                + " FROM " + PartitionedTable.wireguard(Tier.RAW).name()
                + " WHERE ts >= CAST(:from AS timestamptz) - make_interval(secs => " + MAX_INTERVAL.toSeconds() + ")"
                + " AND ts < :to" + filter
                + " WINDOW w AS (PARTITION BY host_key, iface, peer_key ORDER BY ts)),"
                + " v AS (SELECT *, dt > 0 AND dt <= " + MAX_INTERVAL.toSeconds() + " AND drx >= 0 AS rx_ok,"
                + " dt > 0 AND dt <= " + MAX_INTERVAL.toSeconds() + " AND dtx >= 0 AS tx_ok FROM d WHERE ts >= :from)";
    }

    /** Buckets of {@code :bucketSeconds} over the raw deltas: columns of the rollup tables, rates per second. */
    static String rawBuckets() {
        return "SELECT host_key, iface, peer_key, " + BUCKET + " AS ts, count(*)::integer AS samples,"
                + " max(handshake_age_s) AS handshake_age_max_s,"
                + " (sum(drx) FILTER (WHERE rx_ok) / nullif(sum(dt) FILTER (WHERE rx_ok), 0))::real AS rx_bytes_per_s,"
                + " (sum(dtx) FILTER (WHERE tx_ok) / nullif(sum(dt) FILTER (WHERE tx_ok), 0))::real AS tx_bytes_per_s,"
                + " coalesce(sum(dt) FILTER (WHERE rx_ok), 0)::real AS rx_seconds,"
                + " coalesce(sum(dt) FILTER (WHERE tx_ok), 0)::real AS tx_seconds,"
                + " (array_agg(endpoint ORDER BY ts DESC) FILTER (WHERE endpoint IS NOT NULL))[1] AS endpoint"
                + " FROM v GROUP BY 1, 2, 3, 4";
    }

    /** Buckets of {@code :bucketSeconds} over a rollup tier: rates weighted by the seconds they cover. */
    static String rollupBuckets(Tier source, String filter) {
        return "SELECT host_key, iface, peer_key, " + BUCKET + " AS ts, sum(samples)::integer AS samples,"
                + " max(handshake_age_max_s) AS handshake_age_max_s,"
                + " (sum(rx_bytes_per_s::float8 * rx_seconds) FILTER (WHERE rx_bytes_per_s IS NOT NULL)"
                + " / nullif(sum(rx_seconds) FILTER (WHERE rx_bytes_per_s IS NOT NULL), 0))::real AS rx_bytes_per_s,"
                + " (sum(tx_bytes_per_s::float8 * tx_seconds) FILTER (WHERE tx_bytes_per_s IS NOT NULL)"
                + " / nullif(sum(tx_seconds) FILTER (WHERE tx_bytes_per_s IS NOT NULL), 0))::real AS tx_bytes_per_s,"
                + " sum(rx_seconds)::real AS rx_seconds, sum(tx_seconds)::real AS tx_seconds,"
                + " (array_agg(endpoint ORDER BY ts DESC) FILTER (WHERE endpoint IS NOT NULL))[1] AS endpoint"
                + " FROM " + PartitionedTable.wireguard(source).name()
                + " WHERE ts >= :from AND ts < :to" + filter + " GROUP BY 1, 2, 3, 4";
    }

    static final String ROLLUP_COLUMNS = "host_key, iface, peer_key, ts, samples, handshake_age_max_s, rx_bytes_per_s,"
            + " tx_bytes_per_s, rx_seconds, tx_seconds, endpoint";

    /** The upsert that builds {@code target} from the tier below it for {@code [:from, :to)}. */
    static String rollupSql(Tier target) {
        String insert = "INSERT INTO " + PartitionedTable.wireguard(target).name() + " AS t (" + ROLLUP_COLUMNS + ") ";
        return target.source() == Tier.RAW
                ? rawDeltas("") + " " + insert + rawBuckets() + upsert()
                : insert + rollupBuckets(target.source(), "") + upsert();
    }

    private static String upsert() {
        return " ON CONFLICT (host_key, iface, peer_key, ts) DO UPDATE SET samples = EXCLUDED.samples,"
                + " handshake_age_max_s = EXCLUDED.handshake_age_max_s, rx_bytes_per_s = EXCLUDED.rx_bytes_per_s,"
                + " tx_bytes_per_s = EXCLUDED.tx_bytes_per_s, rx_seconds = EXCLUDED.rx_seconds,"
                + " tx_seconds = EXCLUDED.tx_seconds, endpoint = EXCLUDED.endpoint";
    }

    /** Rolls the tier below {@code target} up into it for {@code [from, to)}; returns the rows upserted. */
    public int rollUp(Tier target, Instant from, Instant to) {
        return RollupUpdate.execute(jdbi, rollupSql(target), target, from, to);
    }

    /**
     * Every peer of the host's latest WireGuard sample still in the raw tier, with the rate
     * over the interval from the peer's sample before it; ordered by interface, then peer.
     */
    public List<PeerState> latest(int hostKey) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        WITH last AS (SELECT max(ts) AS ts FROM wireguard_peers WHERE host_key = :hostKey),
                        p AS (SELECT w.*, lag(w.ts) OVER x AS prev_ts, lag(w.rx_bytes) OVER x AS prev_rx,
                                     lag(w.tx_bytes) OVER x AS prev_tx
                              FROM wireguard_peers w, last
                              WHERE w.host_key = :hostKey AND w.ts <= last.ts
                                AND w.ts >= last.ts - make_interval(secs => :maxIntervalSeconds)
                              WINDOW x AS (PARTITION BY w.iface, w.peer_key ORDER BY w.ts))
                        SELECT p.iface, p.peer_key, p.endpoint, p.allowed_ips, p.ts, p.latest_handshake,
                               p.handshake_age_s, p.keepalive_s, p.rx_bytes, p.tx_bytes,
                               extract(epoch FROM p.ts - p.prev_ts)::float8 AS dt, p.rx_bytes - p.prev_rx AS drx,
                               p.tx_bytes - p.prev_tx AS dtx
                        FROM p, last WHERE p.ts = last.ts
                        ORDER BY p.iface, p.peer_key
                        """)
                .bind("hostKey", hostKey)
                .bind("maxIntervalSeconds", MAX_INTERVAL.toSeconds())
                .map((rs, ctx) -> {
                    Double dt = (Double) rs.getObject("dt");
                    return new PeerState(rs.getString("iface"), rs.getString("peer_key"), rs.getString("endpoint"),
                            rs.getInt("allowed_ips"), instant(rs, "ts"), instant(rs, "latest_handshake"),
                            (Integer) rs.getObject("handshake_age_s"), (Integer) rs.getObject("keepalive_s"),
                            rs.getLong("rx_bytes"), rs.getLong("tx_bytes"), rate((Long) rs.getObject("drx"), dt),
                            rate((Long) rs.getObject("dtx"), dt));
                })
                .list());
    }

    /** Bytes per second over one interval, or null for a first sample, a reset or too long an interval. */
    static Double rate(Long delta, Double seconds) {
        if (delta == null || seconds == null || seconds <= 0 || seconds > MAX_INTERVAL.toSeconds() || delta < 0) {
            return null;
        }
        return delta / seconds;
    }

    /** One peer's buckets of {@code step} from {@code tier}; {@code iface} null for every interface it is on. */
    public List<Bucket> history(Tier tier, int hostKey, String peerKey, String iface, Instant from, Instant to,
                                Duration step) {
        String filter = " AND host_key = :hostKey AND peer_key = :peer"
                + " AND (CAST(:iface AS text) IS NULL OR iface = :iface)";
        String sql = (tier == Tier.RAW ? rawDeltas(filter) + " " + rawBuckets() : rollupBuckets(tier, filter))
                + " ORDER BY ts, iface";
        return jdbi.withHandle(handle -> handle.createQuery(sql)
                .bind("hostKey", hostKey)
                .bind("peer", peerKey)
                .bind("iface", iface)
                .bind("from", utc(from))
                .bind("to", utc(to))
                .bind("bucketSeconds", step.toSeconds())
                .map((rs, ctx) -> new Bucket(instant(rs, "ts"), rs.getString("iface"), rs.getLong("samples"),
                        (Integer) rs.getObject("handshake_age_max_s"), real(rs, "rx_bytes_per_s"),
                        real(rs, "tx_bytes_per_s"), rs.getString("endpoint")))
                .list());
    }

    /**
     * Where the peer's endpoint differs from the one before it, at the tier's resolution (a rollup row holds its
     * bucket's last endpoint), oldest first; the row before {@code from} within a day counts as "before".
     */
    public List<EndpointChange> endpointChanges(Tier tier, int hostKey, String peerKey, String iface, Instant from,
                                                Instant to, int limit) {
        Duration lookback = tier == Tier.RAW ? MAX_INTERVAL : Duration.ofDays(1);
        String sql = "SELECT ts, iface, prev, endpoint FROM (SELECT ts, iface, endpoint,"
                + " lag(endpoint) OVER (PARTITION BY iface ORDER BY ts) AS prev"
                + " FROM " + PartitionedTable.wireguard(tier).name()
                + " WHERE host_key = :hostKey AND peer_key = :peer AND (CAST(:iface AS text) IS NULL OR iface = :iface)"
                + " AND endpoint IS NOT NULL AND ts >= CAST(:from AS timestamptz) - make_interval(secs => :lookback)"
                + " AND ts < :to) x WHERE ts >= :from AND prev IS DISTINCT FROM endpoint AND prev IS NOT NULL"
                + " ORDER BY ts, iface LIMIT :limit";
        return jdbi.withHandle(handle -> handle.createQuery(sql)
                .bind("hostKey", hostKey)
                .bind("peer", peerKey)
                .bind("iface", iface)
                .bind("from", utc(from))
                .bind("to", utc(to))
                .bind("lookback", lookback.toSeconds())
                .bind("limit", limit)
                .map((rs, ctx) -> new EndpointChange(instant(rs, "ts"), rs.getString("iface"), rs.getString("prev"),
                        rs.getString("endpoint")))
                .list());
    }
}
