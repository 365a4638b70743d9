package io.tunnelvision.api.db;

import java.util.ArrayList;
import java.util.List;

/**
 * A group of rates stored together, one table per {@link Tier}: the columns that identify a row besides host and
 * time, the scalar values, and the per-CPU arrays (element {@code cpu + 1} belongs to CPU {@code cpu}).
 * Table and column names here are the only identifiers ever spliced into SQL, and they are constants.
 */
public enum MetricFamily {
    LINK("link_rates", List.of("iface"),
            List.of("rx_bytes", "rx_packets", "rx_errors", "rx_dropped", "rx_fifo_errors", "rx_over_errors",
                    "rx_frame_errors", "tx_bytes", "tx_packets", "tx_errors", "tx_dropped", "tx_fifo_errors",
                    "tx_carrier_errors"),
            List.of(), List.of()),
    INTERRUPTS("interrupt_rates", List.of(), List.of("net_tx", "irq_other"),
            List.of("net_rx", "softirq_share", "irq_lines_total"),
            List.of("irq_lines", "irq_line_rates")),
    SOFTNET("softnet_rates", List.of(), List.of("flow_limit"),
            List.of("processed", "dropped", "time_squeeze", "received_rps", "backlog_len"),
            List.of()),
    KERNEL("kernel_rates", List.of(),
            List.of("udp_rcvbuf_errors", "udp_sndbuf_errors", "udp_in_errors", "ip_frag_creates", "ip_frag_fails",
                    "ip_reasm_reqds", "ip_reasm_fails"),
            List.of(), List.of());

    private final String baseTable;
    private final List<String> keyColumns;
    private final List<String> scalarColumns;
    private final List<String> arrayColumns;
    private final List<String> rawOnlyColumns;

    MetricFamily(String baseTable, List<String> keyColumns, List<String> scalarColumns, List<String> arrayColumns,
                 List<String> rawOnlyColumns) {
        this.baseTable = baseTable;
        this.keyColumns = keyColumns;
        this.scalarColumns = scalarColumns;
        this.arrayColumns = arrayColumns;
        this.rawOnlyColumns = rawOnlyColumns;
    }

    public String table(Tier tier) {
        return baseTable + tier.suffix();
    }

    public List<String> keyColumns() {
        return keyColumns;
    }

    public List<String> scalarColumns() {
        return scalarColumns;
    }

    public List<String> arrayColumns() {
        return arrayColumns;
    }

    /** Every column of the tier's table in insert order; rollup tiers add a {@code _scale} per per-CPU array. */
    public List<String> columns(Tier tier) {
        List<String> columns = new ArrayList<>(List.of("host_key", "ts"));
        if (tier != Tier.RAW) {
            columns.add("samples");
        }
        columns.addAll(scalarColumns);
        if (tier != Tier.RAW) {
            arrayColumns.forEach(c -> columns.add(c + "_scale"));
        }
        columns.addAll(arrayColumns);
        if (tier == Tier.RAW) {
            columns.addAll(rawOnlyColumns);
        }
        columns.addAll(keyColumns);
        return columns;
    }

    /** The primary key: host, the family's own key columns, time. */
    public List<String> primaryKey() {
        List<String> key = new ArrayList<>(List.of("host_key"));
        key.addAll(keyColumns);
        key.add("ts");
        return key;
    }
}
