package io.tunnelvision.local.scenario;

import io.tunnelvision.local.sim.Hardware;
import io.tunnelvision.local.sim.NicDriver;
import io.tunnelvision.local.sim.TunnelKind;
import java.util.Objects;

/**
 * The hardware and tunnel of one simulated gateway.
 *
 * @param cpus      online CPUs, 2 to 64
 * @param kind      the tunnel it carries
 * @param rxQueues  receive queues of its NIC (1 to 64)
 * @param nic       the NIC's driver: vector names, control vectors, the PCI device in sysfs
 * @param numaNodes 1 or 2 (2 needs a CPU count divisible by 4)
 */
public record HostShape(int cpus, TunnelKind kind, int rxQueues, NicDriver nic, int numaNodes) {

    public HostShape {
        Objects.requireNonNull(kind, "kind");
        hardware(cpus, rxQueues, nic, numaNodes); // the same checks, one place
    }

    /** The fleet's usual NIC (ixgbe-style names) on one NUMA node. */
    public HostShape(int cpus, TunnelKind kind, int rxQueues) {
        this(cpus, kind, rxQueues, NicDriver.IXGBE, 1);
    }

    public Hardware hardware() {
        return hardware(cpus, rxQueues, nic, numaNodes);
    }

    private static Hardware hardware(int cpus, int rxQueues, NicDriver nic, int numaNodes) {
        return new Hardware(cpus, rxQueues, nic, numaNodes);
    }
}
