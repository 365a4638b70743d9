package io.tunnelvision.local.sim;

/** Cumulative counters of one interface, kept as doubles so that fractions of a packet per interval add up. */
public final class LinkCounts {

    double rxBytes;
    double rxPackets;
    double rxDropped;
    double txBytes;
    double txPackets;
    double txDropped;

    public long rxBytes() {
        return (long) rxBytes;
    }

    public long rxPackets() {
        return (long) rxPackets;
    }

    public long rxDropped() {
        return (long) rxDropped;
    }

    public long txBytes() {
        return (long) txBytes;
    }

    public long txPackets() {
        return (long) txPackets;
    }

    public long txDropped() {
        return (long) txDropped;
    }
}
