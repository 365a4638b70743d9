package io.tunnelvision.agent.collect;

import io.tunnelvision.schemas.avro.IrqLine;

/**
 * Where one IRQ may land and which device it serves, as {@link IrqPlacements} read it; every field may be null
 * (not available on this kernel, no device behind the IRQ, or a value that could not be read).
 *
 * @param affinity {@code /proc/irq/<n>/smp_affinity_list} as read, a CPU list
 * @param effectiveAffinity {@code /proc/irq/<n>/effective_affinity_list} as read
 * @param busId basename of the {@code device} link of the interface whose {@code msi_irqs} lists the IRQ
 * @param netdev that interface
 * @param numaNode the device's NUMA node, else {@code /proc/irq/<n>/node}; never the kernel's -1
 * @param localCpus the device's {@code local_cpulist}
 */
record IrqPlacement(String affinity, String effectiveAffinity, String busId, String netdev, Integer numaNode,
                    String localCpus) {

    static final IrqPlacement UNKNOWN = new IrqPlacement(null, null, null, null, null, null);

    void copyTo(IrqLine line) {
        line.setAffinity(affinity);
        line.setEffectiveAffinity(effectiveAffinity);
        line.setBusId(busId);
        line.setNetdev(netdev);
        line.setNumaNode(numaNode);
        line.setLocalCpus(localCpus);
    }
}
