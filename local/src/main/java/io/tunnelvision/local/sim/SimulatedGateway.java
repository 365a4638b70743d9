package io.tunnelvision.local.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * One simulated gateway: its settings and the cumulative counters the kernel would show, advanced by a traffic
 * model that reacts to the settings the way the kernel does, in broad strokes:
 * <ul>
 *   <li>each receive queue's hard IRQ lands on the lowest CPU of its affinity, which then does that queue's
 *       NET_RX work, unless the queue's {@code rps_cpus} hands the work to the mask's CPUs; decapsulated packets
 *       are processed again, on the same CPUs or on the tunnel's own RPS mask. Drivers that give a queue separate
 *       receive and transmit vectors (virtio-net, gve) count transmit completions on the transmit vector's CPU;
 *       routed traffic besides the tunnel ({@link Fault.HeavyLoad}) loads the NIC's queues but not the tunnel;</li>
 *   <li>net_rx_action stops with work left (a squeeze) when a poll's batch exceeds {@code netdev_budget} or what
 *       fits in {@code netdev_budget_usecs};</li>
 *   <li>backlog bursts above {@code netdev_max_backlog} and transmit bursts above {@code txqueuelen} drop: at the
 *       device ({@code tx_dropped}), or in the tunnel's root qdisc when it is a FIFO in front of a device that
 *       never stops its queue (WireGuard under pfifo_fast); a tun at txqueuelen 0 drops every packet;</li>
 *   <li>a tunnel MTU that does not fit the underlay with the kind's overhead fragments every full-size packet;</li>
 *   <li>a receive burst needing more socket buffer than {@code rmem_max} allows counts UDP RcvbufErrors.</li>
 * </ul>
 * Not thread-safe: one thread advances a gateway.
 */
public final class SimulatedGateway {

    /** USER_HZ: /proc/stat counts time in ticks of 10 ms. */
    static final int TICKS_PER_SECOND = 100;
    /** CPU time of one packet through net_rx_action. */
    private static final double PACKET_COST_US = 1.5;
    private static final double IRQ_COST_US = 0.5;
    private static final double PACKETS_PER_IRQ = 8;
    private static final double PACKETS_PER_RPS_IPI = 16;
    private static final double POLL_WINDOW_SECONDS = 0.001;
    private static final double NORMAL_POLL_BURST = 4;
    /** How long a receiver may stall, during which its socket buffer must hold what arrives. */
    private static final double RECEIVER_STALL_SECONDS = 0.01;
    /** skb truesize over payload. */
    private static final double TRUESIZE_FACTOR = 2;
    private static final double JITTER = 0.05;
    private static final int FRAGMENT_HEADER_BYTES = 20;
    private static final List<String> TC_QDISC_SHOW = List.of("tc", "-s", "-j", "qdisc", "show");

    private final String name;
    private final Hardware hardware;
    private final NicLayout layout;
    private final int cpus;
    private final TunnelKind kind;
    private final String bootId;
    private final SplittableRandom random;
    private final List<Fault> faults = new ArrayList<>();
    private GatewaySettings settings;
    private RootQdisc tunnelRoot;
    private final SimulatedNic nic;

    final double[][] irqCounts; // [queue vector][cpu]
    final double[] netRx;
    final double[] netTx;
    final double[] userTicks;
    final double[] systemTicks;
    final double[] irqTicks;
    final double[] softirqTicks;
    final double[] totalTicks;
    final double[] processed;
    final double[] dropped;
    final double[] timeSqueeze;
    final double[] receivedRps;
    final LinkCounts tunnel = new LinkCounts();
    final LinkCounts underlay = new LinkCounts();
    /** The tunnel's peers when it is WireGuard, else null. */
    private final WireguardPeers wireguard;
    /** As the last step's faults left them: what the path-MTU prober's pings see. */
    private int pathMtuBytes;
    private long unreachablePeers;
    /** What the tunnel's root qdisc passed to the device and dropped (a noqueue root counts nothing). */
    private double tunnelQdiscPackets;
    private double tunnelQdiscBytes;
    private double tunnelQdiscDrops;
    double udpInDatagrams;
    double udpOutDatagrams;
    double udpInErrors;
    double udpRcvbufErrors;
    double ipFragCreates;
    double ipFragOks;
    double ipReasmReqds;
    double ipReasmOks;

    /**
     * @param hardware CPUs, NUMA nodes and the NIC with its queues
     * @param irqCountStart what every IRQ counter starts at, as on a host that has been up a while (counts wrap
     *        at 2^32 as the kernel's do)
     */
    public SimulatedGateway(String name, Hardware hardware, TunnelKind kind, long seed, long irqCountStart) {
        this.name = Objects.requireNonNull(name, "name");
        this.hardware = Objects.requireNonNull(hardware, "hardware");
        this.layout = new NicLayout(hardware);
        this.cpus = hardware.cpus();
        this.kind = Objects.requireNonNull(kind, "kind");
        this.random = new SplittableRandom(seed);
        this.bootId = new UUID(random.nextLong(), random.nextLong()).toString();
        this.settings = GatewaySettings.defaults(kind, hardware);
        this.tunnelRoot = RootQdisc.defaultFor(kind);
        this.nic = new SimulatedNic(hardware.nic(), hardware.rxQueues());
        this.irqCounts = new double[layout.queueVectors()][cpus];
        for (double[] row : irqCounts) {
            Arrays.fill(row, irqCountStart);
        }
        this.netRx = new double[cpus];
        this.netTx = new double[cpus];
        this.userTicks = new double[cpus];
        this.systemTicks = new double[cpus];
        this.irqTicks = new double[cpus];
        this.softirqTicks = new double[cpus];
        this.totalTicks = new double[cpus];
        this.processed = new double[cpus];
        this.dropped = new double[cpus];
        this.timeSqueeze = new double[cpus];
        this.receivedRps = new double[cpus];
        this.wireguard = kind == TunnelKind.WIREGUARD ? new WireguardPeers(name, kind.interfaceName()) : null;
    }

    /** A gateway with the fleet's usual NIC (ixgbe-style names) on one NUMA node. */
    public SimulatedGateway(String name, int cpus, int rxQueues, TunnelKind kind, long seed, long irqCountStart) {
        this(name, Hardware.of(cpus, rxQueues), kind, seed, irqCountStart);
    }

    /** A gateway with as many receive queues as CPUs (at most 8) and IRQ counters from zero. */
    public SimulatedGateway(String name, int cpus, TunnelKind kind, long seed) {
        this(name, cpus, Math.min(cpus, 8), kind, seed, 0);
    }

    public String name() {
        return name;
    }

    public int cpus() {
        return cpus;
    }

    public Hardware hardware() {
        return hardware;
    }

    NicLayout layout() {
        return layout;
    }

    public TunnelKind kind() {
        return kind;
    }

    public String bootId() {
        return bootId;
    }

    public GatewaySettings settings() {
        return settings;
    }

    /** What the executor (or an operator) set; CPUs outside the host are dropped from masks, as the kernel does. */
    public void apply(GatewaySettings changed) {
        if (changed.rxQueues() != settings.rxQueues()
                || changed.irqAffinity().size() != settings.irqAffinity().size()) {
            throw new IllegalArgumentException(name + " has " + settings.rxQueues() + " receive queues and "
                    + settings.irqAffinity().size() + " queue vectors, the settings have " + changed.rxQueues()
                    + " and " + changed.irqAffinity().size());
        }
        this.settings = changed;
    }

    public void inject(Fault fault) {
        faults.add(Objects.requireNonNull(fault, "fault"));
        settings = fault.onInject(settings, cpus);
        tunnelRoot = fault.onInject(tunnelRoot, kind);
        nic.setRxRing(fault.rxRingOnInject(nic.rxRing(), nic.rxRingMax()));
    }

    /** eth0's RX ring, as {@code ethtool -g} shows it. */
    public int rxRing() {
        return nic.rxRing();
    }

    /** Packets eth0 lost for want of RX ring space, as its driver counts them. */
    public long nicRingDrops() {
        return nic.ringDrops();
    }

    public RootQdisc tunnelRoot() {
        return tunnelRoot;
    }

    /** Ends a fault's traffic shaping; a setting it changed stays changed until someone puts it right. */
    public void clear(Fault fault) {
        faults.remove(fault);
    }

    public List<Fault> faults() {
        return List.copyOf(faults);
    }

    /** Adds what {@code interval} of {@code load} does to every counter, given the current settings and faults. */
    public void advance(Duration interval, TrafficLoad load) {
        double s = interval.toNanos() / 1e9;
        if (s <= 0) {
            return;
        }
        Conditions c = new Conditions();
        for (Fault fault : faults) {
            fault.shape(c);
        }
        pathMtuBytes = c.pathMtuBytes;
        unreachablePeers = c.unreachablePeers;
        double jitter = 1 + JITTER * (2 * random.nextDouble() - 1);
        double rx = load.rxPacketsPerSecond() * jitter;
        double tx = load.txPacketsPerSecond() * jitter;
        double large = load.largeShare();
        boolean fragments = !settings.mtuFits(kind);
        double outerPerLarge = fragments ? 2 : 1;
        double innerBytes = large * settings.tunnelMtu() + (1 - large) * load.smallPacketBytes();
        double underlayRx = rx * (1 - large + large * outerPerLarge);
        double underlayTx = tx * (1 - large + large * outerPerLarge);
        double fragmentBytes = fragments ? large * FRAGMENT_HEADER_BYTES : 0;

        // Fragmentation: every full-size packet leaves as two fragments and arrives as two to reassemble.
        if (fragments) {
            ipFragOks += tx * large * s;
            ipFragCreates += 2 * tx * large * s;
            ipReasmReqds += 2 * rx * large * s;
            ipReasmOks += rx * large * s;
        }

        // Hard IRQs and the first NET_RX pass, queue by queue. Routed traffic (heavy load) is on the NIC only.
        double nicRx = underlayRx * c.nicLoad;
        double ringDrops = nic.advance(s, nicRx, c.rxBurstPackets);
        double nicTx = underlayTx * c.nicLoad;
        int queues = settings.rxQueues();
        double[] work = new double[cpus];
        double[] irqs = new double[cpus];
        double[] ipis = new double[cpus];
        long online = onlineMask();
        for (int q = 0; q < queues; q++) {
            int rxVector = layout.rxVector[q];
            int txVector = layout.txVector[q];
            int irqCpu = effectiveCpu(settings.irqAffinity().get(rxVector));
            double packets = nicRx / queues;
            double txIrqRate = nicTx / queues / PACKETS_PER_IRQ * c.irqFactor;
            double rxIrqRate = packets / PACKETS_PER_IRQ * c.irqFactor;
            if (txVector < 0) {
                rxIrqRate += txIrqRate; // one vector for both directions
            } else {
                int txCpu = effectiveCpu(settings.irqAffinity().get(txVector));
                irqCounts[txVector][txCpu] += txIrqRate * s;
                irqs[txCpu] += txIrqRate;
            }
            irqCounts[rxVector][irqCpu] += rxIrqRate * s;
            irqs[irqCpu] += rxIrqRate;
            spread(packets, irqCpu, settings.underlayRpsCpus().get(q) & online, work, ipis);
        }
        // Second pass: decapsulated packets, where the first pass ran or on the tunnel's own RPS mask.
        long tunnelMask = settings.tunnelRpsCpus() & online;
        double firstPass = sum(work);
        for (int cpu = 0; cpu < cpus; cpu++) {
            double share = firstPass == 0 ? 0 : work[cpu] / firstPass;
            if (tunnelMask == 0) {
                work[cpu] += rx * share;
            } else {
                spread(rx * share, cpu, tunnelMask, work, ipis);
            }
        }

        double limit = Math.min(settings.netdevBudget(), settings.netdevBudgetUsecs() / PACKET_COST_US);
        for (int cpu = 0; cpu < cpus; cpu++) {
            double w = work[cpu];
            double batch = w * POLL_WINDOW_SECONDS * NORMAL_POLL_BURST * c.pollBurst;
            double squeezes = batch > limit ? (w / limit) * (1 - limit / batch) : 0;
            double peakBacklog = batch * c.backlogBurst;
            double drops = peakBacklog > settings.netdevMaxBacklog()
                    ? 0.1 * w * (1 - settings.netdevMaxBacklog() / peakBacklog) : 0;
            timeSqueeze[cpu] += squeezes * s;
            dropped[cpu] += drops * s;
            processed[cpu] += (w - drops) * s;
            underlay.rxDropped += drops * s;
            receivedRps[cpu] += ipis[cpu] * s;
            netRx[cpu] += (irqs[cpu] + ipis[cpu] + w / PACKETS_PER_IRQ / 4) * s;
            netTx[cpu] += tx / cpus / 64 * s;
            double seconds = s;
            double si = Math.min(0.8, (w * PACKET_COST_US + tx / cpus * PACKET_COST_US) / 1e6);
            double irq = Math.min(0.05, irqs[cpu] * IRQ_COST_US / 1e6);
            userTicks[cpu] += 0.1 * seconds * TICKS_PER_SECOND;
            systemTicks[cpu] += 0.05 * seconds * TICKS_PER_SECOND;
            irqTicks[cpu] += irq * seconds * TICKS_PER_SECOND;
            softirqTicks[cpu] += si * seconds * TICKS_PER_SECOND;
            totalTicks[cpu] += seconds * TICKS_PER_SECOND;
        }
        if (c.noiseSqueezesPerHour > 0) {
            timeSqueeze[random.nextInt(cpus)] += poisson(c.noiseSqueezesPerHour / 3600 * s);
        }

        // UDP receive buffers: a stalled receiver must hold RECEIVER_STALL_SECONDS of arrivals.
        double outerRxBytes = rx * (innerBytes + kind.overhead() + fragmentBytes);
        double needed = outerRxBytes * RECEIVER_STALL_SECONDS * TRUESIZE_FACTOR * c.bufferPressure;
        double bufErrors = needed > settings.rmemMax() ? 0.01 * rx * (1 - settings.rmemMax() / needed) : 0;
        udpRcvbufErrors += bufErrors * s;
        udpInErrors += bufErrors * s;
        udpInDatagrams += (rx - bufErrors) * s;
        udpOutDatagrams += tx * s;

        // Transmit queues: a burst above txqueuelen drops at the tunnel, in the device or in its FIFO root qdisc.
        double tunnelTxDrops = txDrops(tx, c.txBurst, settings.tunnelTxQueueLen());
        if (c.txBackfireShare > 0) {
            double longer = settings.tunnelTxQueueLen() / (double) kind.defaultTxQueueLen();
            tunnelTxDrops = Math.min(0.5 * tx, tunnelTxDrops + c.txBackfireShare * tx * longer * longer);
        }
        if (kind == TunnelKind.TUN && settings.tunnelTxQueueLen() == 0) {
            tunnelTxDrops = tx; // tun_queue_resize: a ring of no slots takes nothing
        }
        double qdiscDrops = tunnelRoot.queues() && kind != TunnelKind.TUN ? tunnelTxDrops : 0;
        if (tunnelRoot.queues()) {
            tunnelQdiscPackets += (tx - qdiscDrops) * s;
            tunnelQdiscBytes += (tx - qdiscDrops) * innerBytes * s;
            tunnelQdiscDrops += qdiscDrops * s;
        }
        double underlayTxDrops = txDrops(nicTx, 1, settings.underlayTxQueueLen());
        double routedRx = nicRx - underlayRx;
        double routedTx = nicTx - underlayTx;
        double tunnelRxBefore = tunnel.rxBytes;
        double tunnelTxBefore = tunnel.txBytes;
        tunnel.rxPackets += (rx - bufErrors) * s;
        tunnel.rxBytes += (rx - bufErrors) * innerBytes * s;
        tunnel.txPackets += (tx - tunnelTxDrops) * s;
        tunnel.txBytes += (tx - tunnelTxDrops) * innerBytes * s;
        tunnel.txDropped += (tunnelTxDrops - qdiscDrops) * s;
        underlay.rxPackets += (nicRx - ringDrops) * s;
        underlay.rxBytes += (outerRxBytes + routedRx * innerBytes) * s;
        underlay.txPackets += (nicTx - underlayTxDrops) * s;
        underlay.txBytes += ((tx - tunnelTxDrops) * (innerBytes + kind.overhead() + fragmentBytes)
                + routedTx * innerBytes) * s;
        underlay.txDropped += underlayTxDrops * s;
        if (wireguard != null) {
            wireguard.advance(interval.toMillis(), tunnel.rxBytes - tunnelRxBefore, tunnel.txBytes - tunnelTxBefore,
                    c.unreachablePeers);
        }
    }

    /**
     * What {@code wg show all dump} prints on this gateway at {@code nowEpochMs}, or null when its tunnel is not
     * WireGuard (where {@code wg} would print nothing).
     */
    public String wireguardDump(long nowEpochMs) {
        return wireguard == null ? null : wireguard.dump(nowEpochMs);
    }

    /**
     * What the path-MTU prober's commands print on this gateway, or null where they fail (as {@code ping} exits 1
     * when no echo came back): {@code wg show all allowed-ips} and {@code endpoints}, and the don't-fragment
     * {@code ping} of a peer's overlay address through the tunnel, which comes back when the packet fits the tunnel's
     * MTU (a larger one is refused by the tunnel itself), the path (a black hole swallows larger ones) and the peer
     * answers. No router ever reports an MTU here: {@code ip route get} shows no exception.
     */
    public String pmtuCommand(List<String> command) {
        if (wireguard == null) {
            return null;
        }
        if (command.equals(List.of("wg", "show", "all", "allowed-ips"))) {
            return wireguard.show(false);
        }
        if (command.equals(List.of("wg", "show", "all", "endpoints"))) {
            return wireguard.show(true);
        }
        int s = command.indexOf("-s");
        if (command.contains("ping") && s > 0 && s + 2 < command.size()) {
            int peer = wireguard.peerAt(command.get(command.size() - 1));
            int size = Integer.parseInt(command.get(s + 1)) + (command.contains("-6") ? 48 : 28);
            boolean back = peer >= 0 && (unreachablePeers & (1L << peer)) == 0 && size <= settings.tunnelMtu()
                    && (pathMtuBytes == 0 || size <= pathMtuBytes);
            return back ? "2 packets transmitted, 2 received, 0% packet loss, time 201ms\n" : null;
        }
        if (command.size() > 3 && command.get(0).equals("ip") && command.contains("route")) {
            return "[{\"dst\":\"" + command.get(command.size() - 1) + "\",\"dev\":\"" + kind.interfaceName()
                    + "\",\"flags\":[],\"uid\":0,\"cache\":[]}]";
        }
        return null;
    }

    /**
     * What {@code tc -s -j qdisc show} prints on this gateway ({@link TcQdiscShow}), or null for any other command:
     * eth0's mq root with a pfifo_fast per transmit queue sharing what eth0 sent, and the tunnel's root.
     */
    public String qdiscCommand(List<String> command) {
        if (!command.equals(TC_QDISC_SHOW)) {
            return null;
        }
        return TcQdiscShow.render(settings.rxQueues(), new TcQdiscShow.Counts(underlay.txBytes(),
                        underlay.txPackets(), 0), kind.interfaceName(), tunnelRoot,
                new TcQdiscShow.Counts((long) tunnelQdiscBytes, (long) tunnelQdiscPackets, (long) tunnelQdiscDrops));
    }

    /**
     * What {@code ethtool <args>} prints on this gateway, or does ({@code -G} rings, {@code -C rx-usecs}): eth0 is
     * its one NIC ({@link SimulatedNic}); any other device is one ethtool cannot find.
     */
    public ToolAnswer ethtool(List<String> args) {
        return nic.ethtool(args, underlay.rxPackets(), underlay.txPackets());
    }

    private static double txDrops(double pps, double burst, int queueLen) {
        double peak = pps * POLL_WINDOW_SECONDS * NORMAL_POLL_BURST * burst;
        return peak > queueLen ? 0.05 * pps * (1 - queueLen / peak) : 0;
    }

    /** Hands {@code packets} to the CPUs of {@code mask}, or leaves them on {@code from} when the mask is empty. */
    private void spread(double packets, int from, long mask, double[] work, double[] ipis) {
        if (mask == 0) {
            work[from] += packets;
            return;
        }
        int targets = Long.bitCount(mask);
        for (int cpu = 0; cpu < cpus; cpu++) {
            if ((mask & (1L << cpu)) != 0) {
                work[cpu] += packets / targets;
                if (cpu != from) {
                    ipis[cpu] += packets / targets / PACKETS_PER_RPS_IPI;
                }
            }
        }
    }

    private long onlineMask() {
        return cpus == 64 ? -1L : (1L << cpus) - 1;
    }

    /**
     * The CPU an IRQ with this affinity lands on: the lowest online CPU of the mask, a fair model of x86 with one
     * target per vector (the vector matrix actually picks the least loaded CPU of the mask, which differs only for
     * masks of several CPUs). A mask with no online CPU falls back to CPU 0.
     */
    int effectiveCpu(long affinity) {
        long mask = affinity & onlineMask();
        return mask == 0 ? 0 : Long.numberOfTrailingZeros(mask);
    }

    private static double sum(double[] values) {
        double total = 0;
        for (double v : values) {
            total += v;
        }
        return total;
    }

    private long poisson(double mean) {
        double limit = Math.exp(-mean);
        double product = random.nextDouble();
        long count = 0;
        while (product > limit) {
            count++;
            product *= random.nextDouble();
        }
        return count;
    }

    // Readings, as the kernel would print them.

    /** The /proc/interrupts count of a queue vector's IRQ on a CPU: 32 bits, wrapping. */
    public long irqCount(int queueVector, int cpu) {
        return wrap32(irqCounts[queueVector][cpu]);
    }

    public long netRxSoftirqs(int cpu) {
        return wrap32(netRx[cpu]);
    }

    public long netTxSoftirqs(int cpu) {
        return wrap32(netTx[cpu]);
    }

    public long softirqTicks(int cpu) {
        return (long) softirqTicks[cpu];
    }

    /** user, nice, system, idle, iowait, irq, softirq, steal in ticks; their sum is the CPU's total. */
    long[] statColumns(int cpu) {
        long user = (long) userTicks[cpu];
        long system = (long) systemTicks[cpu];
        long irq = (long) irqTicks[cpu];
        long softirq = (long) softirqTicks[cpu];
        long idle = Math.max(0, (long) totalTicks[cpu] - user - system - irq - softirq);
        return new long[] {user, 0, system, idle, 0, irq, softirq, 0};
    }

    public long totalTicks(int cpu) {
        long total = 0;
        for (long v : statColumns(cpu)) {
            total += v;
        }
        return total;
    }

    public long softnetProcessed(int cpu) {
        return wrap32(processed[cpu]);
    }

    public long softnetDropped(int cpu) {
        return wrap32(dropped[cpu]);
    }

    public long softnetTimeSqueeze(int cpu) {
        return wrap32(timeSqueeze[cpu]);
    }

    public long softnetReceivedRps(int cpu) {
        return wrap32(receivedRps[cpu]);
    }

    public LinkCounts tunnel() {
        return tunnel;
    }

    public LinkCounts underlay() {
        return underlay;
    }

    public long udpRcvbufErrors() {
        return (long) udpRcvbufErrors;
    }

    public long ipFragCreates() {
        return (long) ipFragCreates;
    }

    public long ipReasmReqds() {
        return (long) ipReasmReqds;
    }

    static long wrap32(double value) {
        return ((long) value) & 0xFFFF_FFFFL;
    }
}
