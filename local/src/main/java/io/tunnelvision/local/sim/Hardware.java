package io.tunnelvision.local.sim;

import java.util.BitSet;
import java.util.List;
import java.util.Objects;

/**
 * The machine under a simulated gateway: its CPUs, NUMA nodes and NIC.
 *
 * @param cpus      online CPUs, 2 to 64
 * @param rxQueues  receive queues of eth0 (1 to 64), each with its own vector, or a receive and a transmit vector
 *                  on drivers that split them
 * @param nic       the NIC's driver, which decides the vector names and the PCI device sysfs shows
 * @param numaNodes 1 or 2; with 2 the CPUs are numbered as on a two-socket Intel host with hyper-threads
 *                  (node 0 has the first and the third quarter), and the NIC sits on node 0
 */
public record Hardware(int cpus, int rxQueues, NicDriver nic, int numaNodes) {

    public Hardware {
        Objects.requireNonNull(nic, "nic");
        if (cpus < 2 || cpus > 64) {
            throw new IllegalArgumentException("a simulated gateway has 2 to 64 CPUs, not " + cpus);
        }
        if (rxQueues < 1 || rxQueues > 64) {
            throw new IllegalArgumentException("a simulated gateway has 1 to 64 receive queues, not " + rxQueues);
        }
        if (numaNodes < 1 || numaNodes > 2) {
            throw new IllegalArgumentException("a simulated gateway has 1 or 2 NUMA nodes, not " + numaNodes);
        }
        if (numaNodes == 2 && cpus % 4 != 0) {
            throw new IllegalArgumentException("two NUMA nodes need a CPU count divisible by 4 (two sockets of "
                    + "cores with two threads each), not " + cpus);
        }
    }

    /** The NIC the fleet has always had: ixgbe-style names, one node, as many queues as CPUs up to 8. */
    public static Hardware of(int cpus, int rxQueues) {
        return new Hardware(cpus, rxQueues, NicDriver.IXGBE, 1);
    }

    /** The CPUs of a NUMA node. */
    public BitSet nodeCpus(int node) {
        BitSet set = new BitSet();
        if (numaNodes == 1) {
            set.set(0, cpus);
            return set;
        }
        int quarter = cpus / 4;
        set.set(node * quarter, (node + 1) * quarter);
        set.set(2 * quarter + node * quarter, 2 * quarter + (node + 1) * quarter);
        return set;
    }

    /**
     * What the device's {@code numa_node} shows: its node on a NUMA host, 0 on a one-node bare-metal host, -1
     * ("unknown") in a VM that is given no NUMA topology, as most are.
     */
    public int nicNumaNode() {
        return numaNodes > 1 || nic.bareMetal() ? 0 : -1;
    }

    /** The NIC's vectors in IRQ order. */
    public List<NicDriver.Vector> vectors() {
        return nic.vectors("eth0", rxQueues);
    }
}
