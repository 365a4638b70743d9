package io.tunnelvision.local.sim;

/**
 * The traffic a gateway carries through its tunnel, before faults shape it.
 *
 * @param rxPacketsPerSecond inner packets received through the tunnel
 * @param txPacketsPerSecond inner packets sent through the tunnel
 * @param largeShare share of packets as large as the tunnel MTU allows (0..1); the rest are small
 * @param smallPacketBytes size of the small packets
 */
public record TrafficLoad(double rxPacketsPerSecond, double txPacketsPerSecond, double largeShare,
        int smallPacketBytes) {

    public TrafficLoad {
        if (rxPacketsPerSecond < 0 || txPacketsPerSecond < 0) {
            throw new IllegalArgumentException("packet rates cannot be negative: rx " + rxPacketsPerSecond + ", tx "
                    + txPacketsPerSecond);
        }
        if (largeShare < 0 || largeShare > 1) {
            throw new IllegalArgumentException("largeShare must be within 0..1, was " + largeShare);
        }
        if (smallPacketBytes < 20) {
            throw new IllegalArgumentException("smallPacketBytes must be at least an IPv4 header (20), was "
                    + smallPacketBytes);
        }
    }

    /** A moderate load that a default-configured gateway carries without any trouble. */
    public static TrafficLoad typical() {
        return new TrafficLoad(10_000, 8_000, 0.3, 200);
    }
}
