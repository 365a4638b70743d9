package io.tunnelvision.api.db;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * The history of a host's interface and kernel settings: the rows that took effect in a range (settings are stored
 * as they change) plus, per interface, the one already in effect when the range begins. Newest first.
 */
@RegisterConstructorMapper(ReadRows.InterfaceState.class)
@RegisterConstructorMapper(ReadRows.KernelState.class)
public interface SettingsDao {

    @SqlQuery("""
            SELECT c.iface, c.valid_from AS since, c.ifindex, c.kind, c.mtu, c.tx_queue_len, c.oper_state,
                   c.rx_queues::text AS rx_queues, c.underlay
            FROM interface_configs c
            WHERE c.host_key = :hostKey AND c.valid_from < :to
              AND (c.valid_from >= :from OR c.valid_from = (
                  SELECT max(p.valid_from) FROM interface_configs p
                  WHERE p.host_key = c.host_key AND p.iface = c.iface AND p.valid_from < :from))
            ORDER BY c.valid_from DESC, c.iface
            LIMIT :limit
            """)
    List<ReadRows.InterfaceState> interfaceHistory(int hostKey, Instant from, Instant to, int limit);

    @SqlQuery("""
            SELECT k.valid_from AS since, k.rmem_max, k.wmem_max, k.netdev_budget, k.netdev_budget_usecs,
                   k.netdev_max_backlog, k.rps_sock_flow_entries, k.rp_filter::text AS rp_filter,
                   k.cpu_governors::text AS cpu_governors
            FROM kernel_settings k
            WHERE k.host_key = :hostKey AND k.valid_from < :to
              AND (k.valid_from >= :from OR k.valid_from = (
                  SELECT max(p.valid_from) FROM kernel_settings p WHERE p.host_key = k.host_key AND p.valid_from < :from))
            ORDER BY k.valid_from DESC
            LIMIT :limit
            """)
    List<ReadRows.KernelState> kernelHistory(int hostKey, Instant from, Instant to, int limit);
}
