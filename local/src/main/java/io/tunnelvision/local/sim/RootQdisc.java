package io.tunnelvision.local.sim;

import java.util.Objects;

/**
 * The root qdisc of a simulated device, as {@code tc qdisc show} names it.
 *
 * @param kind   {@code noqueue} or {@code pfifo_fast}, the two the model knows
 * @param handle {@code 0:} for the one the kernel attached when the device came up, a number of the kernel's
 *               choosing ({@code 8001:}) for one attached later by {@code tc qdisc replace}
 */
public record RootQdisc(String kind, String handle) {

    /** What a device with IFF_NO_QUEUE gets (kernel WireGuard, VXLAN, lo): no queue and no counters. */
    public static final RootQdisc NOQUEUE = new RootQdisc("noqueue", "0:");
    /** The kernel's default_qdisc on a single-queue device that may queue (tun): a FIFO of txqueuelen packets. */
    public static final RootQdisc DEFAULT_PFIFO_FAST = new RootQdisc("pfifo_fast", "0:");
    /** The same FIFO attached by hand ({@code tc qdisc replace dev wg0 root pfifo_fast}). */
    public static final RootQdisc ATTACHED_PFIFO_FAST = new RootQdisc("pfifo_fast", "8001:");

    public RootQdisc {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(handle, "handle");
    }

    /** The root a freshly created tunnel of this kind gets. */
    public static RootQdisc defaultFor(TunnelKind kind) {
        return kind == TunnelKind.TUN ? DEFAULT_PFIFO_FAST : NOQUEUE;
    }

    /** Whether packets queue here (a FIFO as long as txqueuelen) rather than going straight to the device. */
    public boolean queues() {
        return !kind.equals(NOQUEUE.kind);
    }
}
