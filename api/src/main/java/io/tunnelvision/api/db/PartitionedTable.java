package io.tunnelvision.api.db;

import java.util.ArrayList;
import java.util.List;

/** A table partitioned by range of {@code ts}, with the partition size and the tier whose retention it follows. */
public record PartitionedTable(String name, Tier tier) {

    public static final PartitionedTable LATENCY = new PartitionedTable("latency_samples", Tier.MINUTE);
    /** WireGuard peers: the raw samples and their rollups, retained like the rate tiers. */
    public static final String WIREGUARD_PEERS = "wireguard_peers";

    /** The WireGuard peers table of a tier: {@code wireguard_peers}, {@code _1m}, {@code _1h}. */
    public static PartitionedTable wireguard(Tier tier) {
        return new PartitionedTable(WIREGUARD_PEERS + tier.suffix(), tier);
    }

    /** Path-MTU probes: the raw samples' paths and their rollups, retained like the rate tiers. */
    public static final String PMTU_PATHS = "pmtu_paths";

    /** The path-MTU table of a tier: {@code pmtu_paths}, {@code _1m}, {@code _1h}. */
    public static PartitionedTable pmtu(Tier tier) {
        return new PartitionedTable(PMTU_PATHS + tier.suffix(), tier);
    }

    /** Egress queues: every qdisc's counters and backlog, and their rollups, retained like the rate tiers. */
    public static final String QDISCS = "qdiscs";

    /** The qdisc table of a tier: {@code qdiscs}, {@code _1m}, {@code _1h}. */
    public static PartitionedTable qdiscs(Tier tier) {
        return new PartitionedTable(QDISCS + tier.suffix(), tier);
    }

    /** Byte queue limits of the transmit queues that have them, and their rollups, retained like the rate tiers. */
    public static final String TX_QUEUES = "tx_queues";

    /** The transmit queue table of a tier: {@code tx_queues}, {@code _1m}, {@code _1h}. */
    public static PartitionedTable txQueues(Tier tier) {
        return new PartitionedTable(TX_QUEUES + tier.suffix(), tier);
    }

    /** NICs: settings and drop counters, and their rollups, retained like the rate tiers. */
    public static final String NICS = "nics";

    /** The NIC table of a tier: {@code nics}, {@code _1m}, {@code _1h}. */
    public static PartitionedTable nics(Tier tier) {
        return new PartitionedTable(NICS + tier.suffix(), tier);
    }

    public static PartitionedTable of(MetricFamily family, Tier tier) {
        return new PartitionedTable(family.table(tier), tier);
    }

    /** Every partitioned table of the schema. */
    public static List<PartitionedTable> all() {
        List<PartitionedTable> tables = new ArrayList<>();
        for (MetricFamily family : MetricFamily.values()) {
            for (Tier tier : Tier.values()) {
                tables.add(of(family, tier));
            }
        }
        tables.add(LATENCY);
        for (Tier tier : Tier.values()) {
            tables.add(wireguard(tier));
        }
        for (Tier tier : Tier.values()) {
            tables.add(pmtu(tier));
        }
        for (Tier tier : Tier.values()) {
            tables.add(qdiscs(tier));
            tables.add(txQueues(tier));
        }
        for (Tier tier : Tier.values()) {
            tables.add(nics(tier));
        }
        return List.copyOf(tables);
    }
}
