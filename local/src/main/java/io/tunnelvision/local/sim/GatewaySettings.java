package io.tunnelvision.local.sim;

import java.util.Collections;
import java.util.List;

/**
 * The tunables of one simulated gateway, as the agent's executor can change them. CPU sets are bit masks in a
 * {@code long} (bit n is CPU n), which covers the 64 CPUs a simulated gateway may have.
 *
 * @param tunnelTxQueueLen {@code tx_queue_len} of the tunnel interface
 * @param underlayTxQueueLen {@code tx_queue_len} of {@code eth0}
 * @param tunnelMtu {@code mtu} of the tunnel interface
 * @param underlayMtu {@code mtu} of {@code eth0}
 * @param underlayRpsCpus {@code rps_cpus} of each receive queue of {@code eth0}, rx-0 first
 * @param tunnelRpsCpus {@code rps_cpus} of the tunnel's rx-0
 * @param irqAffinity {@code smp_affinity_list} of each of the NIC's queue vectors in IRQ order (one per receive
 *        queue, or a receive and a transmit vector per queue on drivers that split them, see {@link NicDriver});
 *        an IRQ lands on the lowest online CPU of its affinity
 * @param netdevBudget {@code net.core.netdev_budget}
 * @param netdevBudgetUsecs {@code net.core.netdev_budget_usecs}
 * @param netdevMaxBacklog {@code net.core.netdev_max_backlog}
 * @param rmemMax {@code net.core.rmem_max}
 * @param wmemMax {@code net.core.wmem_max}
 * @param rpFilter {@code rp_filter} of all, default, eth0 and the tunnel (lo keeps 0)
 */
public record GatewaySettings(int tunnelTxQueueLen, int underlayTxQueueLen, int tunnelMtu, int underlayMtu,
        List<Long> underlayRpsCpus, long tunnelRpsCpus, List<Long> irqAffinity, int netdevBudget,
        int netdevBudgetUsecs, int netdevMaxBacklog, long rmemMax, long wmemMax, int rpFilter) {

    public GatewaySettings {
        underlayRpsCpus = List.copyOf(underlayRpsCpus);
        irqAffinity = List.copyOf(irqAffinity);
        if (underlayRpsCpus.isEmpty() || irqAffinity.size() < underlayRpsCpus.size()) {
            throw new IllegalArgumentException("one rps_cpus per receive queue and at least as many IRQ affinities: "
                    + "got " + underlayRpsCpus.size() + " and " + irqAffinity.size());
        }
    }

    /** A freshly booted kernel's values: RPS off, IRQs spread one queue per CPU, MTUs that fit the tunnel. */
    public static GatewaySettings defaults(TunnelKind kind, int cpus, int rxQueues) {
        return defaults(kind, Hardware.of(cpus, rxQueues));
    }

    /** As {@link #defaults(TunnelKind, int, int)}, with the queue vectors where the NIC's driver puts them. */
    public static GatewaySettings defaults(TunnelKind kind, Hardware hardware) {
        return new GatewaySettings(kind.defaultTxQueueLen(), 1000, kind.defaultMtu(), 1500,
                Collections.nCopies(hardware.rxQueues(), 0L), 0L, NicLayout.defaultAffinity(hardware),
                300, 2000, 1000, 212_992, 212_992, 0);
    }

    public int rxQueues() {
        return underlayRpsCpus.size();
    }

    /** Whether a full-size tunnel packet still fits in one underlay packet once encapsulated. */
    public boolean mtuFits(TunnelKind kind) {
        return tunnelMtu + kind.overhead() <= underlayMtu;
    }

    public GatewaySettings withTunnelTxQueueLen(int value) {
        return new GatewaySettings(value, underlayTxQueueLen, tunnelMtu, underlayMtu, underlayRpsCpus,
                tunnelRpsCpus, irqAffinity, netdevBudget, netdevBudgetUsecs, netdevMaxBacklog, rmemMax, wmemMax,
                rpFilter);
    }

    public GatewaySettings withMtus(int tunnel, int underlay) {
        return new GatewaySettings(tunnelTxQueueLen, underlayTxQueueLen, tunnel, underlay, underlayRpsCpus,
                tunnelRpsCpus, irqAffinity, netdevBudget, netdevBudgetUsecs, netdevMaxBacklog, rmemMax, wmemMax,
                rpFilter);
    }

    /** The same mask on every receive queue of eth0 and on the tunnel's rx-0 (0 switches RPS off). */
    public GatewaySettings withRpsEverywhere(long mask) {
        return new GatewaySettings(tunnelTxQueueLen, underlayTxQueueLen, tunnelMtu, underlayMtu,
                Collections.nCopies(rxQueues(), mask), mask, irqAffinity, netdevBudget, netdevBudgetUsecs,
                netdevMaxBacklog, rmemMax, wmemMax, rpFilter);
    }

    public GatewaySettings withIrqAffinity(List<Long> masks) {
        return new GatewaySettings(tunnelTxQueueLen, underlayTxQueueLen, tunnelMtu, underlayMtu, underlayRpsCpus,
                tunnelRpsCpus, masks, netdevBudget, netdevBudgetUsecs, netdevMaxBacklog, rmemMax, wmemMax,
                rpFilter);
    }

    public GatewaySettings withNetdevBudget(int budget, int usecs) {
        return new GatewaySettings(tunnelTxQueueLen, underlayTxQueueLen, tunnelMtu, underlayMtu, underlayRpsCpus,
                tunnelRpsCpus, irqAffinity, budget, usecs, netdevMaxBacklog, rmemMax, wmemMax, rpFilter);
    }

    public GatewaySettings withNetdevMaxBacklog(int value) {
        return new GatewaySettings(tunnelTxQueueLen, underlayTxQueueLen, tunnelMtu, underlayMtu, underlayRpsCpus,
                tunnelRpsCpus, irqAffinity, netdevBudget, netdevBudgetUsecs, value, rmemMax, wmemMax, rpFilter);
    }

    public GatewaySettings withSocketBuffers(long rmem, long wmem) {
        return new GatewaySettings(tunnelTxQueueLen, underlayTxQueueLen, tunnelMtu, underlayMtu, underlayRpsCpus,
                tunnelRpsCpus, irqAffinity, netdevBudget, netdevBudgetUsecs, netdevMaxBacklog, rmem, wmem,
                rpFilter);
    }
}
