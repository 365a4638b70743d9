package io.tunnelvision.api.db;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A series the API can return: where it is stored and, for per-CPU values, how CPUs combine when the caller asks
 * for the whole host (counts add up; shares and queue lengths take the busiest CPU).
 */
public enum Metric {
    RX_BYTES(MetricFamily.LINK, "bytes/s"),
    RX_PACKETS(MetricFamily.LINK, "packets/s"),
    RX_ERRORS(MetricFamily.LINK, "errors/s"),
    RX_DROPPED(MetricFamily.LINK, "packets/s"),
    RX_FIFO_ERRORS(MetricFamily.LINK, "errors/s"),
    RX_OVER_ERRORS(MetricFamily.LINK, "errors/s"),
    RX_FRAME_ERRORS(MetricFamily.LINK, "errors/s"),
    TX_BYTES(MetricFamily.LINK, "bytes/s"),
    TX_PACKETS(MetricFamily.LINK, "packets/s"),
    TX_ERRORS(MetricFamily.LINK, "errors/s"),
    TX_DROPPED(MetricFamily.LINK, "packets/s"),
    TX_FIFO_ERRORS(MetricFamily.LINK, "errors/s"),
    TX_CARRIER_ERRORS(MetricFamily.LINK, "errors/s"),
    NET_RX(MetricFamily.INTERRUPTS, "softirqs/s"),
    /** Host total. */
    NET_TX(MetricFamily.INTERRUPTS, "softirqs/s"),
    SOFTIRQ_SHARE(MetricFamily.INTERRUPTS, "fraction", CpuAggregate.MAX),
    /** Host total of the IRQs not kept line by line. */
    IRQ_OTHER(MetricFamily.INTERRUPTS, "interrupts/s"),
    IRQ_LINES_TOTAL(MetricFamily.INTERRUPTS, "interrupts/s"),
    PROCESSED(MetricFamily.SOFTNET, "packets/s"),
    DROPPED(MetricFamily.SOFTNET, "packets/s"),
    TIME_SQUEEZE(MetricFamily.SOFTNET, "events/s"),
    RECEIVED_RPS(MetricFamily.SOFTNET, "IPIs/s"),
    /** Host total. */
    FLOW_LIMIT(MetricFamily.SOFTNET, "packets/s"),
    BACKLOG_LEN(MetricFamily.SOFTNET, "packets", CpuAggregate.MAX),
    UDP_RCVBUF_ERRORS(MetricFamily.KERNEL, "errors/s"),
    UDP_SNDBUF_ERRORS(MetricFamily.KERNEL, "errors/s"),
    UDP_IN_ERRORS(MetricFamily.KERNEL, "errors/s"),
    IP_FRAG_CREATES(MetricFamily.KERNEL, "fragments/s"),
    IP_FRAG_FAILS(MetricFamily.KERNEL, "failures/s"),
    IP_REASM_REQDS(MetricFamily.KERNEL, "fragments/s"),
    IP_REASM_FAILS(MetricFamily.KERNEL, "failures/s");

    /** How one value per CPU becomes one value for the host. */
    public enum CpuAggregate { SUM, MAX }

    private final MetricFamily family;
    private final String unit;
    private final CpuAggregate cpuAggregate;

    Metric(MetricFamily family, String unit) {
        this(family, unit, CpuAggregate.SUM);
    }

    Metric(MetricFamily family, String unit, CpuAggregate cpuAggregate) {
        this.family = family;
        this.unit = unit;
        this.cpuAggregate = cpuAggregate;
    }

    /** The name in the API, which is also the column. */
    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String column() {
        return apiName();
    }

    public MetricFamily family() {
        return family;
    }

    public String unit() {
        return unit;
    }

    public CpuAggregate cpuAggregate() {
        return cpuAggregate;
    }

    public boolean perCpu() {
        return family.arrayColumns().contains(column());
    }

    public boolean perInterface() {
        return family == MetricFamily.LINK;
    }

    public static Optional<Metric> byApiName(String name) {
        return Arrays.stream(values()).filter(m -> m.apiName().equals(name)).findFirst();
    }

    public static String apiNames() {
        return Arrays.stream(values()).map(Metric::apiName).collect(Collectors.joining(", "));
    }
}
