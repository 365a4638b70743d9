package io.tunnelvision.api.db;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * What happened to commands, step by step, for a timeline: operators' decisions, agents' results and the
 * verification's verdicts in one list, newest first. Commands are rare (a handful per gateway per day), so the
 * three small tables are read whole rather than indexed by time.
 */
@RegisterConstructorMapper(CommandEventDao.CommandEvent.class)
public interface CommandEventDao {

    /**
     * @param step     approved, rejected (operator); applied, dry_run, refused, failed, rolled_back, expired (agent);
     *                 verified, rolled_back, inconclusive (verification, actor {@code verification})
     * @param actor    the operator's token name, {@code agent VERSION}, or {@code verification}
     * @param detail   the operator's or agent's reason, or the metric the verdict compared
     * @param relatedCommandId the rollback command a verdict issued, if any
     */
    record CommandEvent(String commandId, String hostId, String step, Instant at, String actor, String detail,
                        String valueBefore, String valueAfter, String relatedCommandId) {
    }

    @SqlQuery("""
            SELECT command_id, host_id, step, at, actor, detail, value_before, value_after, related_command_id
            FROM (
                SELECT command_id, host_id, CASE decision WHEN 'APPROVE' THEN 'approved' ELSE 'rejected' END AS step,
                       decided_at AS at, operator AS actor, reason AS detail, NULL::text AS value_before,
                       NULL::text AS value_after, NULL::text AS related_command_id
                FROM command_decisions
                UNION ALL
                SELECT command_id, host_id, CASE status WHEN 'REJECTED' THEN 'refused' ELSE lower(status) END,
                       reported_at, 'agent ' || coalesce(agent_version, '?'), reason, value_before, value_after, NULL
                FROM command_results
                WHERE status <> 'UNKNOWN'
                UNION ALL
                SELECT command_id, host_id, lower(verdict), decided_at, 'verification', metric, value_before::text,
                       value_after::text, rollback_command_id
                FROM command_outcomes
                WHERE verdict <> 'UNKNOWN') e
            WHERE at >= :from AND at < :to AND (CAST(:hostId AS text) IS NULL OR host_id = :hostId)
            ORDER BY at DESC, command_id, step
            LIMIT :limit
            """)
    List<CommandEvent> events(Instant from, Instant to, String hostId, int limit);
}
