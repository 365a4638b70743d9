package io.tunnelvision.api.db;

import java.util.List;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlBatch;

/**
 * Writes hotspots, commands and what became of them, and configuration changes. Every statement is an idempotent
 * upsert: a record replayed from Kafka, or arriving after a newer one, changes nothing.
 */
public interface EventDao {

    /** A hotspot moves forward in time only, and a closed one never reopens. */
    @SqlBatch("""
            INSERT INTO hotspots AS h (hotspot_id, scope, host_id, type, severity, state, target, summary, evidence,
                                       hosts, window_start, window_end, opened_at, updated_at, closed_at)
            VALUES (:hotspotId, :scope, :hostId, :type, :severity, :state, :target, :summary,
                    CAST(:evidenceJson AS jsonb), :hosts, :windowStart, :windowEnd, :openedAt, :updatedAt, :closedAt)
            ON CONFLICT (hotspot_id) DO UPDATE SET
                severity = EXCLUDED.severity, state = EXCLUDED.state, target = EXCLUDED.target,
                summary = EXCLUDED.summary, evidence = EXCLUDED.evidence, hosts = EXCLUDED.hosts,
                window_start = EXCLUDED.window_start, window_end = EXCLUDED.window_end,
                updated_at = EXCLUDED.updated_at, closed_at = EXCLUDED.closed_at
            WHERE NOT (h.state = 'CLOSED' AND EXCLUDED.state = 'OPEN')
              AND (EXCLUDED.updated_at > h.updated_at
                   OR (EXCLUDED.updated_at = h.updated_at AND EXCLUDED.state = 'CLOSED' AND h.state = 'OPEN'))
            """)
    void upsertHotspots(@BindMethods List<EventRows.Hotspot> hotspots);

    /**
     * A command seen on the proposals topic, the commands topic, or both (in either order): the flags add up, and
     * the copy from the commands topic (the one signed for the agent) is the one whose details are kept.
     */
    @SqlBatch("""
            INSERT INTO commands AS c (command_id, host_id, sequence, issued_at, expires_at, action, target, new_value,
                                       expected_value, hotspot_id, reason, dry_run, rollback_of, key_id, proposed,
                                       published)
            VALUES (:commandId, :hostId, :sequence, :issuedAt, :expiresAt, :action, :target, :newValue,
                    :expectedValue, :hotspotId, :reason, :dryRun, :rollbackOf, :keyId, :proposed, :published)
            ON CONFLICT (command_id) DO UPDATE SET
                sequence = CASE WHEN EXCLUDED.published AND NOT c.published THEN EXCLUDED.sequence ELSE c.sequence END,
                issued_at = CASE WHEN EXCLUDED.published AND NOT c.published THEN EXCLUDED.issued_at ELSE c.issued_at END,
                expires_at = CASE WHEN EXCLUDED.published AND NOT c.published THEN EXCLUDED.expires_at ELSE c.expires_at END,
                key_id = CASE WHEN EXCLUDED.published AND NOT c.published THEN EXCLUDED.key_id ELSE c.key_id END,
                proposed = c.proposed OR EXCLUDED.proposed,
                published = c.published OR EXCLUDED.published
            WHERE (EXCLUDED.proposed AND NOT c.proposed) OR (EXCLUDED.published AND NOT c.published)
            """)
    void upsertCommands(@BindMethods List<EventRows.Command> commands);

    /** The first decision on a command stands. */
    @SqlBatch("""
            INSERT INTO command_decisions (command_id, host_id, decision, operator, reason, decided_at)
            VALUES (:commandId, :hostId, :decision, :operator, :reason, :decidedAt)
            ON CONFLICT (command_id) DO NOTHING
            """)
    void insertDecisions(@BindMethods List<EventRows.Decision> decisions);

    @SqlBatch("""
            INSERT INTO command_results (command_id, status, host_id, reason, value_before, value_after, reported_at,
                                         agent_version)
            VALUES (:commandId, :status, :hostId, :reason, :valueBefore, :valueAfter, :reportedAt, :agentVersion)
            ON CONFLICT (command_id, status) DO NOTHING
            """)
    void insertResults(@BindMethods List<EventRows.Result> results);

    /** A later verdict (a re-verification) replaces an earlier one. */
    @SqlBatch("""
            INSERT INTO command_outcomes AS o (command_id, host_id, hotspot_id, verdict, metric, value_before,
                                               value_after, rollback_command_id, decided_at)
            VALUES (:commandId, :hostId, :hotspotId, :verdict, :metric, :valueBefore, :valueAfter,
                    :rollbackCommandId, :decidedAt)
            ON CONFLICT (command_id) DO UPDATE SET
                hotspot_id = EXCLUDED.hotspot_id, verdict = EXCLUDED.verdict, metric = EXCLUDED.metric,
                value_before = EXCLUDED.value_before, value_after = EXCLUDED.value_after,
                rollback_command_id = EXCLUDED.rollback_command_id, decided_at = EXCLUDED.decided_at
            WHERE EXCLUDED.decided_at > o.decided_at
            """)
    void upsertOutcomes(@BindMethods List<EventRows.Outcome> outcomes);

    /** Adds a row only when the interface changed since the row before this sample's time. */
    @SqlBatch("""
            INSERT INTO interface_configs (host_key, valid_from, ifindex, mtu, tx_queue_len, iface, kind, oper_state,
                                           rx_queues, underlay)
            SELECT :hostKey, :validFrom, :ifindex, :mtu, :txQueueLen, :iface, :kind, :operState,
                   CAST(:rxQueuesJson AS jsonb), :underlay
            WHERE NOT EXISTS (
                SELECT 1 FROM (
                    SELECT * FROM interface_configs
                    WHERE host_key = :hostKey AND iface = :iface AND valid_from <= :validFrom
                    ORDER BY valid_from DESC LIMIT 1) prev
                WHERE (prev.ifindex, prev.mtu, prev.tx_queue_len, prev.kind, prev.oper_state, prev.rx_queues,
                       prev.underlay)
                      IS NOT DISTINCT FROM
                      (:ifindex, :mtu, :txQueueLen, :kind, :operState, CAST(:rxQueuesJson AS jsonb),
                       CAST(:underlay AS text)))
            ON CONFLICT DO NOTHING
            """)
    void insertInterfaceConfigs(@BindMethods List<EventRows.InterfaceConfig> configs);

    @SqlBatch("""
            INSERT INTO kernel_settings (host_key, valid_from, rmem_max, wmem_max, netdev_budget, netdev_budget_usecs,
                                         netdev_max_backlog, rps_sock_flow_entries, rp_filter, cpu_governors)
            SELECT :hostKey, :validFrom, :rmemMax, :wmemMax, :netdevBudget, :netdevBudgetUsecs, :netdevMaxBacklog,
                   :rpsSockFlowEntries, CAST(:rpFilterJson AS jsonb), CAST(:cpuGovernorsJson AS jsonb)
            WHERE NOT EXISTS (
                SELECT 1 FROM (
                    SELECT * FROM kernel_settings
                    WHERE host_key = :hostKey AND valid_from <= :validFrom
                    ORDER BY valid_from DESC LIMIT 1) prev
                WHERE (prev.rmem_max, prev.wmem_max, prev.netdev_budget, prev.netdev_budget_usecs,
                       prev.netdev_max_backlog, prev.rps_sock_flow_entries, prev.rp_filter, prev.cpu_governors)
                      IS NOT DISTINCT FROM
                      (CAST(:rmemMax AS bigint), CAST(:wmemMax AS bigint), CAST(:netdevBudget AS bigint),
                       CAST(:netdevBudgetUsecs AS bigint), CAST(:netdevMaxBacklog AS bigint),
                       CAST(:rpsSockFlowEntries AS bigint), CAST(:rpFilterJson AS jsonb),
                       CAST(:cpuGovernorsJson AS jsonb)))
            ON CONFLICT DO NOTHING
            """)
    void insertKernelSettings(@BindMethods List<EventRows.KernelSettings> settings);
}
