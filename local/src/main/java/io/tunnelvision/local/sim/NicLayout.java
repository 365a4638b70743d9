package io.tunnelvision.local.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * A NIC's vectors with their IRQ numbers, and which queue vector serves each receive queue; worked out once per
 * gateway from its {@link Hardware}. "Queue vectors" are the vectors that carry packets, in IRQ order: the
 * settings hold one affinity for each of them.
 */
final class NicLayout {

    /** IRQ number of the NIC's first vector; the others follow in the driver's order. */
    static final int FIRST_IRQ = 40;

    final List<NicDriver.Vector> all;
    final List<Integer> queueVectorIrqs = new ArrayList<>();
    /** For each receive queue, the index (among queue vectors) of the vector its receive completions raise. */
    final int[] rxVector;
    /** For each receive queue, the index of its separate transmit vector, or -1 when one vector does both. */
    final int[] txVector;

    NicLayout(Hardware hardware) {
        this.all = List.copyOf(hardware.vectors());
        this.rxVector = new int[hardware.rxQueues()];
        this.txVector = new int[hardware.rxQueues()];
        Arrays.fill(txVector, -1);
        for (int i = 0; i < all.size(); i++) {
            NicDriver.Vector v = all.get(i);
            if (v.role() == NicDriver.Role.CONTROL) {
                continue;
            }
            int index = queueVectorIrqs.size();
            queueVectorIrqs.add(FIRST_IRQ + i);
            if (v.role() == NicDriver.Role.TX) {
                txVector[v.queue()] = index;
            } else {
                rxVector[v.queue()] = index;
            }
        }
    }

    int queueVectors() {
        return queueVectorIrqs.size();
    }

    /**
     * Where the driver puts each queue vector at load: the n-th vector on the n-th CPU, the NIC's own node
     * first (cpumask_local_spread), which on a one-node host is simply CPU n modulo the CPU count. virtio-net
     * puts both vectors of queue pair n on CPU n (virtnet_set_affinity).
     */
    static List<Long> defaultAffinity(Hardware hardware) {
        NicLayout layout = new NicLayout(hardware);
        BitSet local = hardware.nodeCpus(Math.max(0, hardware.nicNumaNode()));
        List<Integer> order = new ArrayList<>();
        local.stream().forEach(order::add);
        for (int cpu = 0; cpu < hardware.cpus(); cpu++) {
            if (!local.get(cpu)) {
                order.add(cpu);
            }
        }
        List<Long> affinity = new ArrayList<>(layout.queueVectors());
        List<NicDriver.Vector> queueVectors = layout.all.stream().filter(v -> v.role() != NicDriver.Role.CONTROL)
                .toList();
        for (int v = 0; v < queueVectors.size(); v++) {
            int n = hardware.nic() == NicDriver.VIRTIO ? queueVectors.get(v).queue() : v;
            affinity.add(1L << order.get(n % order.size()));
        }
        return affinity;
    }
}
