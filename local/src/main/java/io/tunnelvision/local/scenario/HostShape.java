package io.tunnelvision.local.scenario;

import io.tunnelvision.local.sim.TunnelKind;

/**
 * The hardware and tunnel of one simulated gateway.
 *
 * @param cpus     online CPUs, 2 to 64
 * @param kind     the tunnel it carries
 * @param rxQueues receive queues of its NIC, each with its own IRQ (1 to 64)
 */
public record HostShape(int cpus, TunnelKind kind, int rxQueues) {

    public HostShape {
        if (cpus < 2 || cpus > 64) {
            throw new IllegalArgumentException("cpus must be 2 to 64, was " + cpus);
        }
        if (rxQueues < 1 || rxQueues > 64) {
            throw new IllegalArgumentException("rxQueues must be 1 to 64, was " + rxQueues);
        }
    }
}
