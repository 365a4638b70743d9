package io.tunnelvision.api.db;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * The API's queries. Every value from a request is a bind parameter; optional filters are written as
 * {@code (CAST(:x AS type) IS NULL OR column = :x)} so one statement serves every combination. Lists are ordered
 * by a unique key and continue after the cursor's position (keyset pagination: page N costs what page 1 costs).
 */
@RegisterConstructorMapper(ReadRows.HostSummary.class)
@RegisterConstructorMapper(ReadRows.InterfaceState.class)
@RegisterConstructorMapper(ReadRows.KernelState.class)
@RegisterConstructorMapper(ReadRows.Hotspot.class)
@RegisterConstructorMapper(ReadRows.Command.class)
@RegisterConstructorMapper(ReadRows.Decision.class)
@RegisterConstructorMapper(ReadRows.Result.class)
@RegisterConstructorMapper(ReadRows.Outcome.class)
@RegisterConstructorMapper(ReadRows.Probe.class)
@RegisterConstructorMapper(ReadRows.PathSummary.class)
@RegisterConstructorMapper(ReadRows.Count.class)
public interface ReadDao {

    String HOST_SUMMARY = """
            SELECT h.host_id, h.boot_id, h.agent_version, h.first_seen, h.last_seen,
                   coalesce(o.n, 0) AS open_hotspots, coalesce(o.types, '{}') AS open_hotspot_types
            FROM hosts h
            LEFT JOIN LATERAL (
                SELECT count(*)::integer AS n, array_agg(DISTINCT s.type ORDER BY s.type) AS types
                FROM hotspots s
                WHERE s.state = 'OPEN' AND (s.host_id = h.host_id OR s.hosts @> ARRAY[h.host_id])) o ON true
            """;

    @SqlQuery(HOST_SUMMARY + """
            WHERE (CAST(:after AS text) IS NULL OR h.host_id > :after)
            ORDER BY h.host_id
            LIMIT :limit
            """)
    List<ReadRows.HostSummary> hosts(String after, int limit);

    @SqlQuery(HOST_SUMMARY + " WHERE h.host_id = :hostId")
    Optional<ReadRows.HostSummary> host(String hostId);

    @SqlQuery("SELECT host_key FROM hosts WHERE host_id = :hostId")
    Optional<Integer> hostKey(String hostId);

    @SqlQuery("""
            SELECT DISTINCT ON (c.iface) c.iface, c.valid_from AS since, c.ifindex, c.kind, c.mtu, c.tx_queue_len,
                   c.oper_state, c.rx_queues::text AS rx_queues, c.underlay
            FROM interface_configs c JOIN hosts h ON h.host_key = c.host_key
            WHERE h.host_id = :hostId
            ORDER BY c.iface, c.valid_from DESC
            """)
    List<ReadRows.InterfaceState> interfaces(String hostId);

    @SqlQuery("""
            SELECT k.valid_from AS since, k.rmem_max, k.wmem_max, k.netdev_budget, k.netdev_budget_usecs,
                   k.netdev_max_backlog, k.rps_sock_flow_entries, k.rp_filter::text AS rp_filter,
                   k.cpu_governors::text AS cpu_governors
            FROM kernel_settings k JOIN hosts h ON h.host_key = k.host_key
            WHERE h.host_id = :hostId
            ORDER BY k.valid_from DESC
            LIMIT 1
            """)
    Optional<ReadRows.KernelState> kernel(String hostId);

    String HOTSPOT_COLUMNS = """
            SELECT hotspot_id, scope, host_id, type, severity, state, target, summary, evidence::text AS evidence,
                   hosts, window_start, window_end, opened_at, updated_at, closed_at
            FROM hotspots
            """;

    /** Hotspots open at some time in [from, to), newest first; a host matches its own and fleet hotspots naming it. */
    @SqlQuery(HOTSPOT_COLUMNS + """
            WHERE opened_at < :to AND coalesce(closed_at, 'infinity') >= :from
              AND (CAST(:type AS text) IS NULL OR type = :type)
              AND (CAST(:state AS text) IS NULL OR state = :state)
              AND (CAST(:hostId AS text) IS NULL OR host_id = :hostId OR hosts @> ARRAY[CAST(:hostId AS text)])
              AND (CAST(:afterTime AS timestamptz) IS NULL OR (opened_at, hotspot_id) < (:afterTime, :afterId))
            ORDER BY opened_at DESC, hotspot_id DESC
            LIMIT :limit
            """)
    List<ReadRows.Hotspot> hotspots(Instant from, Instant to, String type, String state, String hostId,
                                    Instant afterTime, String afterId, int limit);

    @SqlQuery(HOTSPOT_COLUMNS + """
            WHERE state = 'OPEN' AND (host_id = :hostId OR hosts @> ARRAY[CAST(:hostId AS text)])
            ORDER BY opened_at DESC, hotspot_id DESC
            LIMIT 100
            """)
    List<ReadRows.Hotspot> openHotspots(String hostId);

    String COMMAND_COLUMNS = """
            SELECT c.command_id, c.host_id, s.status, c.sequence, c.issued_at, c.expires_at, c.action, c.target,
                   c.new_value, c.expected_value, c.hotspot_id, c.reason, c.dry_run, c.rollback_of, c.key_id,
                   c.proposed, c.published
            FROM commands c JOIN command_status s ON s.command_id = c.command_id
            """;

    @SqlQuery(COMMAND_COLUMNS + """
            WHERE (CAST(:hostId AS text) IS NULL OR c.host_id = :hostId)
              AND (CAST(:status AS text) IS NULL OR s.status = :status)
              AND (CAST(:from AS timestamptz) IS NULL OR c.issued_at >= :from)
              AND (CAST(:to AS timestamptz) IS NULL OR c.issued_at < :to)
              AND (CAST(:afterTime AS timestamptz) IS NULL OR (c.issued_at, c.command_id) < (:afterTime, :afterId))
            ORDER BY c.issued_at DESC, c.command_id DESC
            LIMIT :limit
            """)
    List<ReadRows.Command> commands(String hostId, String status, Instant from, Instant to, Instant afterTime,
                                    String afterId, int limit);

    @SqlQuery(COMMAND_COLUMNS + " WHERE c.command_id = :commandId")
    Optional<ReadRows.Command> command(String commandId);

    @SqlQuery("SELECT decision, operator, reason, decided_at FROM command_decisions WHERE command_id = :commandId")
    Optional<ReadRows.Decision> decision(String commandId);

    @SqlQuery("""
            SELECT status, reason, value_before, value_after, reported_at, agent_version
            FROM command_results WHERE command_id = :commandId
            ORDER BY reported_at, status
            """)
    List<ReadRows.Result> results(String commandId);

    @SqlQuery("""
            SELECT verdict, hotspot_id, metric, value_before, value_after, rollback_command_id, decided_at
            FROM command_outcomes WHERE command_id = :commandId
            """)
    Optional<ReadRows.Outcome> outcome(String commandId);

    @SqlQuery("""
            SELECT ts, peer, path, size_bytes, sent, received, rtt_min_us, rtt_avg_us, rtt_max_us, jitter_us,
                   loss_ratio, tunnel_iface, address
            FROM latency_samples
            WHERE host_key = :hostKey AND ts >= :from AND ts < :to
              AND (CAST(:peer AS text) IS NULL OR peer = :peer)
            ORDER BY ts, peer, path, size_bytes
            LIMIT :limit
            """)
    List<ReadRows.Probe> probes(int hostKey, String peer, Instant from, Instant to, int limit);

    @SqlQuery("""
            SELECT path, count(*) AS probes, avg(rtt_avg_us) AS rtt_avg_us, avg(jitter_us) AS jitter_avg_us,
                   avg(loss_ratio) AS loss_ratio
            FROM latency_samples
            WHERE host_key = :hostKey AND ts >= :from AND ts < :to
              AND (CAST(:peer AS text) IS NULL OR peer = :peer)
            GROUP BY path
            ORDER BY path
            """)
    List<ReadRows.PathSummary> pathSummaries(int hostKey, String peer, Instant from, Instant to);

    @SqlQuery("SELECT count(*) FROM hosts")
    long hostCount();

    @SqlQuery("SELECT count(*) FROM hosts WHERE last_seen < :silentBefore")
    long silentHosts(Instant silentBefore);

    /** Hosts with at least one open hotspot of their own or as a member of a fleet hotspot. */
    @SqlQuery("""
            SELECT count(DISTINCT host_id) FROM (
                SELECT host_id FROM hotspots WHERE state = 'OPEN' AND host_id IS NOT NULL
                UNION ALL
                SELECT unnest(hosts) FROM hotspots WHERE state = 'OPEN') x
            """)
    long unhealthyHosts();

    @SqlQuery("""
            SELECT type AS key, count(DISTINCT host_id) AS count FROM (
                SELECT type, host_id FROM hotspots WHERE state = 'OPEN' AND host_id IS NOT NULL
                UNION ALL
                SELECT type, unnest(hosts) FROM hotspots WHERE state = 'OPEN') x
            GROUP BY type ORDER BY type
            """)
    List<ReadRows.Count> hostsPerOpenHotspotType();

    @SqlQuery("SELECT status AS key, count(*) AS count FROM command_status GROUP BY status ORDER BY status")
    List<ReadRows.Count> commandsPerStatus();
}
