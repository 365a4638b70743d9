package io.tunnelvision.local.sim;

/**
 * How active faults shape the traffic of one interval; every factor is 1 (or off) on a healthy gateway.
 * Mutable and private to one {@link SimulatedGateway#advance} call.
 */
final class Conditions {

    /** Packets through the NIC, relative to the tunnel's: traffic routed through the gateway besides it. */
    double nicLoad = 1;
    /** Hard IRQs per packet, relative to normal interrupt moderation. */
    double irqFactor = 1;
    /** Packets waiting per net_rx_action run, relative to normal. */
    double pollBurst = 1;
    /** Peak backlog queue length, relative to one poll's batch. */
    double backlogBurst = 1;
    /** Peak tunnel transmit queue, relative to normal. */
    double txBurst = 1;
    /** Socket receive buffer needed, relative to normal. */
    double bufferPressure = 1;
    /** Squeezes per hour that come from nowhere in particular (noise a detector must ignore). */
    double noiseSqueezesPerHour = 0;
    /** Share of tunnel transmits dropped at the default txqueuelen, growing with the queue (0: none). */
    double txBackfireShare = 0;
    /** WireGuard peers that answer nothing: bit i for peer i ({@link WireguardPeers}). */
    long unreachablePeers = 0;
    /**
     * The largest packet (whole inner IP packet) the tunnel's path carries; larger ones vanish on the way and no
     * ICMP "fragmentation needed" comes back. 0: no such limit.
     */
    int pathMtuBytes = 0;
    /** The largest receive burst a NIC queue takes between two polls, in packets; 0: a normal poll's batch. */
    double rxBurstPackets = 0;
}
