package io.tunnelvision.local.sim;

import java.util.Collections;

/**
 * Something wrong with a gateway, injected by a scenario. A fault either misconfigures the gateway once, when it
 * is injected ({@link #onInject}), so that the agent can put the setting right, or shapes the traffic for as long
 * as it is active ({@link #shape}), so that only a setting that absorbs it helps.
 */
public sealed interface Fault {

    /**
     * The settings the gateway runs with until this fault comes, given a freshly booted kernel's; most faults need
     * none. A fault that undoes a tuning needs the tuning in place before it: otherwise the planner puts the kernel
     * default right before the fault comes, and the fault then undoes the fix as someone else's change would.
     */
    default GatewaySettings beforeInject(GatewaySettings settings, int cpus) {
        return settings;
    }

    /** The settings after injection; most faults leave them alone. */
    default GatewaySettings onInject(GatewaySettings settings, int cpus) {
        return settings;
    }

    /** eth0's RX ring after injection, given the one it has; most faults leave it alone. */
    default int rxRingOnInject(int current, int max) {
        return current;
    }

    /** The tunnel's root qdisc after injection, given the one it has; most faults leave it alone. */
    default RootQdisc onInject(RootQdisc root, TunnelKind kind) {
        return root;
    }

    /** Adjusts this interval's conditions while the fault is active. */
    default void shape(Conditions conditions) {
    }

    /**
     * Every NIC queue vector's IRQ (receive and transmit ones alike, control vectors aside) pinned to one CPU,
     * firing {@code irqFactor} times as often as normal.
     */
    record SingleCoreIrqStorm(int cpu, double irqFactor) implements Fault {
        public SingleCoreIrqStorm {
            if (cpu < 0 || cpu > 63 || irqFactor < 1) {
                throw new IllegalArgumentException("cpu must be 0..63 and irqFactor at least 1, were " + cpu + " and "
                        + irqFactor);
            }
        }

        @Override
        public GatewaySettings onInject(GatewaySettings settings, int cpus) {
            return settings.withIrqAffinity(
                    Collections.nCopies(settings.irqAffinity().size(), 1L << Math.min(cpu, cpus - 1)));
        }

        @Override
        public void shape(Conditions conditions) {
            conditions.irqFactor *= irqFactor;
        }
    }

    /**
     * Heavy traffic through the NIC: {@code factor} times the tunnel's packets arrive and leave on eth0, the rest
     * routed traffic that is not decapsulated. It loads every queue's IRQ and NET_RX work, but not the tunnel or
     * its sockets; a gateway whose queues are spread takes it without any hotspot.
     */
    record HeavyLoad(double factor) implements Fault {
        public HeavyLoad {
            if (factor < 1 || factor > 100) {
                throw new IllegalArgumentException("factor must be 1 to 100, was " + factor);
            }
        }

        @Override
        public void shape(Conditions conditions) {
            conditions.nicLoad *= factor;
        }
    }

    /** Bursts bigger than the default netdev_budget: {@code burst} times the normal batch per poll. */
    record SoftnetSqueeze(double burst) implements Fault {
        @Override
        public void shape(Conditions conditions) {
            conditions.pollBurst *= burst;
        }
    }

    /** Bursts that overflow the default netdev_max_backlog: {@code burst} times the normal peak backlog. */
    record BacklogDrops(double burst) implements Fault {
        @Override
        public void shape(Conditions conditions) {
            conditions.backlogBurst *= burst;
        }
    }

    /** Transmit bursts that overflow the tunnel's default txqueuelen: {@code burst} times the normal peak. */
    record TxDrops(double burst) implements Fault {
        @Override
        public void shape(Conditions conditions) {
            conditions.txBurst *= burst;
        }
    }

    /**
     * A tunnel device left at txqueuelen 0 by a configuration template that takes every tunnel for kernel
     * WireGuard (which queues per peer and ignores txqueuelen under its noqueue root). What the kernel then does
     * ({@code TxQueueLenZeroDetector}, measured on 6.18):
     * <ul>
     *   <li>a tun device sizes its ring towards the userspace reader by txqueuelen ({@code tun_queue_resize}): at 0
     *       it drops every packet it is given, in {@code tx_dropped};</li>
     *   <li>on WireGuard the same template attaches a pfifo_fast root (for prioritising later), whose rings are
     *       resized to txqueuelen ({@code pfifo_fast_change_tx_queue_len}): a queue of nothing, so whatever the
     *       device cannot take at once (a burst from several CPUs) is dropped by the qdisc, counted in its
     *       {@code drops} and not in the device's {@code tx_dropped};</li>
     *   <li>a VXLAN has a noqueue root, where txqueuelen means nothing: no drops.</li>
     * </ul>
     * TXQUEUELEN puts it right (0 -> 1000); the root qdisc stays as the template left it.
     */
    record TxQueueLenZero() implements Fault {
        @Override
        public GatewaySettings onInject(GatewaySettings settings, int cpus) {
            return settings.withTunnelTxQueueLen(0);
        }

        @Override
        public RootQdisc onInject(RootQdisc root, TunnelKind kind) {
            return kind == TunnelKind.WIREGUARD ? RootQdisc.ATTACHED_PFIFO_FAST : root;
        }
    }

    /**
     * eth0's RX ring well below its maximum ({@code ring}, 256 by default: a template that "saves memory"), while
     * the traffic arrives in bursts of {@code burstPackets} per queue between two polls (400 by default: 40 µs of a
     * 10 Gb/s queue's small packets). What does not fit the ring is lost before the host sees it, counted in the
     * driver's ring-drop counter ({@code rx_missed_errors} on ixgbe); the driver's default ring (512 on ixgbe)
     * would have held the bursts. NIC_RX_DROPS; RX_RING doubles the ring (256 -> 512), the drops stop.
     */
    record NicRxRingSmall(int ring, double burstPackets) implements Fault {
        public NicRxRingSmall {
            if (ring < SimulatedNic.MIN_RING || burstPackets <= ring) {
                throw new IllegalArgumentException("ring must be at least " + SimulatedNic.MIN_RING
                        + " and burstPackets above it (a burst the ring holds drops nothing), were " + ring + " and "
                        + burstPackets);
            }
        }

        @Override
        public int rxRingOnInject(int current, int max) {
            return Math.min(ring, max);
        }

        @Override
        public void shape(Conditions conditions) {
            conditions.rxBurstPackets = Math.max(conditions.rxBurstPackets, burstPackets);
        }
    }

    /** RPS switched off on every queue (say, by a reimage that lost the tuning). */
    record RpsOff() implements Fault {
        /** Until the reimage, RPS spread over every CPU. */
        @Override
        public GatewaySettings beforeInject(GatewaySettings settings, int cpus) {
            return settings.withRpsEverywhere(cpus >= 64 ? -1L : (1L << cpus) - 1);
        }

        @Override
        public GatewaySettings onInject(GatewaySettings settings, int cpus) {
            return settings.withRpsEverywhere(0);
        }
    }

    /** The tunnel MTU set equal to the underlay's, so every full-size packet is fragmented. */
    record MtuMismatch() implements Fault {
        @Override
        public GatewaySettings onInject(GatewaySettings settings, int cpus) {
            return settings.withMtus(settings.underlayMtu(), settings.underlayMtu());
        }
    }

    /**
     * A WireGuard peer that answers nothing (its site down, its UDP port blocked on the way): no handshake
     * completes, nothing comes back from it. Peer 1, the branch site with a keepalive, by default; the tunnel's
     * own traffic keeps flowing (see {@link WireguardPeers}).
     */
    record WireguardPeerDown(int peer) implements Fault {
        public WireguardPeerDown {
            if (peer < 0 || peer > 1) {
                throw new IllegalArgumentException("peer must be 0 (the site link) or 1 (the branch site), not "
                        + peer);
            }
        }

        @Override
        public void shape(Conditions conditions) {
            conditions.unreachablePeers |= 1L << peer;
        }
    }

    /**
     * A path-MTU black hole behind a WireGuard tunnel: a hop on the way carries inner packets of at most
     * {@code passBytes} and drops larger ones without the ICMP "fragmentation needed" (a filter that blocks all
     * ICMP), so the tunnel's MTU promises more than the path carries and nothing tells the senders. 1328 by default,
     * what PmtuBlackholeLabIT measures through wireguard-go across a router at MTU 1400. Only the prober's view is
     * modelled (what its DF pings through the tunnel see); the tunnel's counters do not change.
     */
    record PmtuBlackhole(int passBytes) implements Fault {
        public PmtuBlackhole {
            if (passBytes < 576 || passBytes > 9000) {
                throw new IllegalArgumentException("passBytes must be between 576 and 9000, not " + passBytes);
            }
        }

        @Override
        public void shape(Conditions conditions) {
            conditions.pathMtuBytes = conditions.pathMtuBytes == 0 ? passBytes
                    : Math.min(conditions.pathMtuBytes, passBytes);
        }
    }

    /** Receivers that fall behind, needing {@code pressure} times the normal socket buffer. */
    record BufferErrors(double pressure) implements Fault {
        @Override
        public void shape(Conditions conditions) {
            conditions.bufferPressure *= pressure;
        }
    }

    /** A healthy host with a few squeezes an hour: noise that must not lead to a command. */
    record HealthyButNoisy(double squeezesPerHour) implements Fault {
        @Override
        public void shape(Conditions conditions) {
            conditions.noiseSqueezesPerHour += squeezesPerHour;
        }
    }

    /**
     * Tunnel transmit drops that a longer txqueuelen makes worse, not better: the tunnel feeds a slow shaper
     * upstream, so a longer queue only holds packets until they are too late for the peer's replay window. About
     * {@code dropShare} of sent packets drop at the default queue length, growing with the square of the length;
     * the planner's usual answer to tx drops therefore fails here and verification has to roll it back.
     */
    record TxQueueBackfire(double dropShare) implements Fault {
        public TxQueueBackfire {
            if (dropShare <= 0 || dropShare > 0.1) {
                throw new IllegalArgumentException("dropShare must be in (0, 0.1], was " + dropShare);
            }
        }

        @Override
        public void shape(Conditions conditions) {
            conditions.txBackfireShare += dropShare;
        }
    }
}
