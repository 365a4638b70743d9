package io.tunnelvision.api.ingest;

/** Which topic a record came from, where one record type arrives on two topics (commands and proposals). */
public enum Source {
    INTERRUPT_RATES, SOFTNET_RATES, LINK_RATES, KERNEL_RATES, INTERFACE_CONFIG, KERNEL_SETTINGS, LATENCY, WIREGUARD, PMTU, QDISC, NIC,
    HOTSPOTS,
    COMMANDS, COMMAND_PROPOSALS, COMMAND_DECISIONS, COMMAND_RESULTS, COMMAND_OUTCOMES
}
