package io.tunnelvision.local.sim;

import io.tunnelvision.rules.cpu.CpuList;
import io.tunnelvision.rules.cpu.CpuMask;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.function.IntToLongFunction;

/**
 * Writes a {@link SimulatedGateway} as {@code <root>/proc} and {@code <root>/sys}, in the formats the agent's
 * collectors read, and reads back the settings files the agent's executor writes into them.
 *
 * <p>Counter files are replaced atomically (written beside, then moved), so a collector never reads half a file.
 * Settings files are written only when the model changed them since the last write (at creation, or when a fault
 * misconfigures the gateway), so a value the executor wrote stays until {@link #readSettings} takes it in.
 */
public final class ProcTreeWriter {

    private static final int LO = 1;
    private static final int ETH0 = 2;
    private static final int TUNNEL = 3;
    private static final int FIRST_QUEUE_IRQ = 40;

    private final Path proc;
    private final Path sys;
    private GatewaySettings written;

    public ProcTreeWriter(Path root) {
        this.proc = root.resolve("proc");
        this.sys = root.resolve("sys");
    }

    public Path procRoot() {
        return proc;
    }

    public Path sysRoot() {
        return sys;
    }

    /** Writes every file; the first call also lays out the parts that never change. */
    public void write(SimulatedGateway g) {
        try {
            if (written == null) {
                writeStatic(g);
            }
            writeSettings(g.settings(), g);
            writeCounters(g);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the simulated tree of " + g.name() + " under "
                    + proc.getParent() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The settings as the tree now holds them: the model's, with every file the executor changed since the last
     * write taken in. A file that holds no valid value keeps the model's value, as the kernel refuses such writes.
     */
    public GatewaySettings readSettings(SimulatedGateway g) {
        GatewaySettings s = g.settings();
        if (written == null) {
            return s;
        }
        String tun = g.kind().interfaceName();
        int queues = s.rxQueues();
        long online = g.cpus() == 64 ? -1L : (1L << g.cpus()) - 1;
        List<Long> rps = new ArrayList<>(queues);
        List<Long> affinity = new ArrayList<>(queues);
        for (int q = 0; q < queues; q++) {
            rps.add(mask(net("eth0/queues/rx-" + q + "/rps_cpus"), s.underlayRpsCpus().get(q)) & online);
            affinity.add(cpuList(proc.resolve("irq/" + (FIRST_QUEUE_IRQ + q) + "/smp_affinity_list"),
                    s.irqAffinity().get(q)) & online);
        }
        GatewaySettings read = new GatewaySettings(
                (int) number(net(tun + "/tx_queue_len"), s.tunnelTxQueueLen()),
                (int) number(net("eth0/tx_queue_len"), s.underlayTxQueueLen()),
                (int) number(net(tun + "/mtu"), s.tunnelMtu()),
                (int) number(net("eth0/mtu"), s.underlayMtu()),
                rps,
                mask(net(tun + "/queues/rx-0/rps_cpus"), s.tunnelRpsCpus()) & online,
                affinity,
                (int) number(core("netdev_budget"), s.netdevBudget()),
                (int) number(core("netdev_budget_usecs"), s.netdevBudgetUsecs()),
                (int) number(core("netdev_max_backlog"), s.netdevMaxBacklog()),
                number(core("rmem_max"), s.rmemMax()),
                number(core("wmem_max"), s.wmemMax()),
                (int) number(proc.resolve("sys/net/ipv4/conf/" + tun + "/rp_filter"), s.rpFilter()));
        written = read;
        return read;
    }

    private Path net(String relative) {
        return sys.resolve("class/net/" + relative);
    }

    private Path core(String name) {
        return proc.resolve("sys/net/core/" + name);
    }

    private void writeStatic(SimulatedGateway g) throws IOException {
        String tun = g.kind().interfaceName();
        put(proc.resolve("sys/kernel/hostname"), g.name());
        put(proc.resolve("sys/kernel/random/boot_id"), g.bootId());
        put(proc.resolve("sys/net/ipv4/ip_forward"), "1");
        put(core("rmem_default"), "212992");
        put(core("wmem_default"), "212992");
        put(core("rps_sock_flow_entries"), "0");
        String cpus = "0-" + (g.cpus() - 1);
        put(sys.resolve("devices/system/cpu/online"), cpus);
        put(sys.resolve("devices/system/cpu/possible"), cpus);
        put(sys.resolve("devices/system/cpu/present"), cpus);
        put(proc.resolve("sys/net/ipv4/conf/lo/rp_filter"), "0");
        iface("lo", LO, LO, 772, null, null);
        put(net("lo/mtu"), "65536");
        put(net("lo/tx_queue_len"), "1000");
        put(net("lo/queues/rx-0/rps_cpus"), CpuMask.format(new BitSet(), g.cpus()));
        put(net("lo/queues/rx-0/rps_flow_cnt"), "0");
        iface("eth0", ETH0, ETH0, 1, null, null);
        put(net("eth0/device/uevent"), "DRIVER=virtio_net\n");
        for (int q = 0; q < g.settings().rxQueues(); q++) {
            put(net("eth0/queues/rx-" + q + "/rps_flow_cnt"), "0");
        }
        TunnelKind kind = g.kind();
        iface(tun, TUNNEL, TUNNEL, kind.arphrdType(), kind.devType(), kind.tunFlags());
        put(net(tun + "/queues/rx-0/rps_flow_cnt"), "0");
        if (kind.hasLowerLink()) {
            put(net(tun + "/lower_eth0/uevent"), "INTERFACE=eth0\nIFINDEX=" + ETH0 + "\n");
        }
    }

    private void iface(String name, int ifindex, int iflink, int type, String devType, Integer tunFlags)
            throws IOException {
        put(net(name + "/ifindex"), String.valueOf(ifindex));
        put(net(name + "/iflink"), String.valueOf(iflink));
        put(net(name + "/type"), String.valueOf(type));
        put(net(name + "/operstate"), name.equals("lo") ? "unknown" : "up");
        put(net(name + "/uevent"), (devType == null ? "" : "DEVTYPE=" + devType + "\n") + "INTERFACE=" + name
                + "\nIFINDEX=" + ifindex + "\n");
        if (tunFlags != null) {
            put(net(name + "/tun_flags"), String.format(Locale.ROOT, "0x%x", tunFlags));
        }
    }

    private void writeSettings(GatewaySettings s, SimulatedGateway g) throws IOException {
        if (s.equals(written)) {
            return;
        }
        String tun = g.kind().interfaceName();
        put(net(tun + "/tx_queue_len"), String.valueOf(s.tunnelTxQueueLen()));
        put(net("eth0/tx_queue_len"), String.valueOf(s.underlayTxQueueLen()));
        put(net(tun + "/mtu"), String.valueOf(s.tunnelMtu()));
        put(net("eth0/mtu"), String.valueOf(s.underlayMtu()));
        for (int q = 0; q < s.rxQueues(); q++) {
            put(net("eth0/queues/rx-" + q + "/rps_cpus"), format(s.underlayRpsCpus().get(q), g.cpus()));
            put(proc.resolve("irq/" + (FIRST_QUEUE_IRQ + q) + "/smp_affinity_list"),
                    CpuList.format(BitSet.valueOf(new long[] {s.irqAffinity().get(q)})));
        }
        put(net(tun + "/queues/rx-0/rps_cpus"), format(s.tunnelRpsCpus(), g.cpus()));
        put(core("netdev_budget"), String.valueOf(s.netdevBudget()));
        put(core("netdev_budget_usecs"), String.valueOf(s.netdevBudgetUsecs()));
        put(core("netdev_max_backlog"), String.valueOf(s.netdevMaxBacklog()));
        put(core("rmem_max"), String.valueOf(s.rmemMax()));
        put(core("wmem_max"), String.valueOf(s.wmemMax()));
        for (String conf : List.of("all", "default", "eth0", tun)) {
            put(proc.resolve("sys/net/ipv4/conf/" + conf + "/rp_filter"), String.valueOf(s.rpFilter()));
        }
        written = s;
    }

    private void writeCounters(SimulatedGateway g) throws IOException {
        int n = g.cpus();
        put(proc.resolve("interrupts"), interrupts(g));
        put(proc.resolve("softirqs"), softirqs(g));
        put(proc.resolve("stat"), stat(g));
        StringBuilder softnet = new StringBuilder();
        for (int cpu = 0; cpu < n; cpu++) {
            softnet.append(String.format(Locale.ROOT,
                    "%08x %08x %08x 00000000 00000000 00000000 00000000 00000000 00000000 %08x 00000000 00000000 %08x%n",
                    g.softnetProcessed(cpu), g.softnetDropped(cpu), g.softnetTimeSqueeze(cpu),
                    g.softnetReceivedRps(cpu), cpu));
        }
        put(proc.resolve("net/softnet_stat"), softnet.toString());
        put(proc.resolve("net/snmp"), snmp(g));
        String tun = g.kind().interfaceName();
        LinkCounts none = new LinkCounts();
        StringBuilder dev = new StringBuilder()
                .append("Inter-|   Receive                                                |  Transmit\n")
                .append(" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs ")
                .append("drop fifo colls carrier compressed\n");
        for (String name : List.of("lo", "eth0", tun)) {
            LinkCounts c = name.equals("lo") ? none : name.equals("eth0") ? g.underlay() : g.tunnel();
            dev.append(String.format(Locale.ROOT,
                    "%6s: %7d %7d %4d %4d %4d %5d %10d %9d %8d %7d %4d %4d %4d %5d %7d %10d%n", name, c.rxBytes(),
                    c.rxPackets(), 0, c.rxDropped(), 0, 0, 0, 0, c.txBytes(), c.txPackets(), 0, c.txDropped(), 0,
                    0, 0, 0));
            statistics(name, c);
        }
        put(proc.resolve("net/dev"), dev.toString());
    }

    private void statistics(String name, LinkCounts c) throws IOException {
        Path dir = net(name + "/statistics");
        boolean first = !Files.exists(dir.resolve("collisions"));
        if (!first && name.equals("lo")) {
            return; // lo carries no simulated traffic: its counters stay at the zeros written first
        }
        put(dir.resolve("rx_bytes"), String.valueOf(c.rxBytes()));
        put(dir.resolve("rx_packets"), String.valueOf(c.rxPackets()));
        put(dir.resolve("rx_dropped"), String.valueOf(c.rxDropped()));
        put(dir.resolve("tx_bytes"), String.valueOf(c.txBytes()));
        put(dir.resolve("tx_packets"), String.valueOf(c.txPackets()));
        put(dir.resolve("tx_dropped"), String.valueOf(c.txDropped()));
        if (first) { // counters the model never moves: written once
            for (String zero : List.of("rx_errors", "rx_fifo_errors", "rx_over_errors", "rx_frame_errors",
                    "tx_errors", "tx_fifo_errors", "tx_carrier_errors", "collisions")) {
                put(dir.resolve(zero), "0");
            }
        }
    }

    private static String interrupts(SimulatedGateway g) {
        int n = g.cpus();
        StringBuilder out = new StringBuilder("     ");
        for (int cpu = 0; cpu < n; cpu++) {
            out.append(String.format(Locale.ROOT, "      CPU%-4d", cpu));
        }
        out.append('\n');
        row(out, "  0", n, cpu -> cpu == 0 ? 44 : 0).append("  IO-APIC   2-edge      timer\n");
        for (int q = 0; q < g.settings().rxQueues(); q++) {
            int queue = q;
            row(out, String.valueOf(FIRST_QUEUE_IRQ + q), n, cpu -> g.irqCount(queue, cpu))
                    .append("  PCI-MSI ").append(524288 + q).append("-edge      eth0-TxRx-").append(q).append('\n');
        }
        row(out, "NMI", n, cpu -> 0).append("  Non-maskable interrupts\n");
        row(out, "LOC", n, cpu -> g.totalTicks(cpu) * 10).append("  Local timer interrupts\n");
        return out.toString();
    }

    private static StringBuilder row(StringBuilder out, String label, int cpus, IntToLongFunction count) {
        out.append(String.format(Locale.ROOT, "%4s:", label));
        for (int cpu = 0; cpu < cpus; cpu++) {
            out.append(String.format(Locale.ROOT, " %12d", count.applyAsLong(cpu)));
        }
        return out;
    }

    private static String softirqs(SimulatedGateway g) {
        int n = g.cpus();
        StringBuilder out = new StringBuilder("                    ");
        for (int cpu = 0; cpu < n; cpu++) {
            out.append(String.format(Locale.ROOT, "CPU%-8d", cpu));
        }
        out.append('\n');
        for (String name : List.of("HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET", "SCHED",
                "HRTIMER", "RCU")) {
            out.append(String.format(Locale.ROOT, "%12s:", name));
            for (int cpu = 0; cpu < n; cpu++) {
                long value = switch (name) {
                    case "NET_TX" -> g.netTxSoftirqs(cpu);
                    case "NET_RX" -> g.netRxSoftirqs(cpu);
                    case "TIMER", "SCHED", "RCU" -> SimulatedGateway.wrap32(g.totalTicks(cpu) * 2.0);
                    default -> 0;
                };
                out.append(String.format(Locale.ROOT, " %10d", value));
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String stat(SimulatedGateway g) {
        int n = g.cpus();
        long[] sum = new long[8];
        StringBuilder cpus = new StringBuilder();
        for (int cpu = 0; cpu < n; cpu++) {
            long[] c = g.statColumns(cpu);
            cpus.append("cpu").append(cpu);
            for (int k = 0; k < c.length; k++) {
                sum[k] += c[k];
                cpus.append(' ').append(c[k]);
            }
            cpus.append(" 0 0\n");
        }
        StringBuilder out = new StringBuilder("cpu ");
        for (long v : sum) {
            out.append(' ').append(v);
        }
        return out.append(" 0 0\n").append(cpus).append("intr 0\nctxt 0\nbtime 1700000000\nprocesses 1\n")
                .append("procs_running 1\nprocs_blocked 0\n").toString();
    }

    private static String snmp(SimulatedGateway g) {
        long udpIn = (long) g.udpInDatagrams;
        long udpOut = (long) g.udpOutDatagrams;
        return "Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos "
                + "InDiscards InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs "
                + "ReasmFails FragOKs FragFails FragCreates OutTransmits\n"
                + String.format(Locale.ROOT, "Ip: 1 64 %d 0 0 0 0 0 %d %d 0 0 0 %d %d 0 %d 0 %d %d%n", udpIn, udpIn,
                        udpOut, g.ipReasmReqds(), (long) g.ipReasmOks, (long) g.ipFragOks, g.ipFragCreates(), udpOut)
                + "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors "
                + "IgnoredMulti MemErrors\n"
                + String.format(Locale.ROOT, "Udp: %d 0 %d %d %d 0 0 0 0%n", udpIn, (long) g.udpInErrors, udpOut,
                        g.udpRcvbufErrors());
    }

    private static String format(long mask, int cpus) {
        return CpuMask.format(BitSet.valueOf(new long[] {mask}), cpus);
    }

    private static long number(Path file, long fallback) {
        String text = text(file);
        try {
            return text == null ? fallback : Long.parseLong(text);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static long mask(Path file, long fallback) {
        return bits(file, fallback, CpuMask::parse);
    }

    private static long cpuList(Path file, long fallback) {
        return bits(file, fallback, CpuList::parse);
    }

    private static long bits(Path file, long fallback, java.util.function.Function<String, BitSet> parser) {
        String text = text(file);
        if (text == null) {
            return fallback;
        }
        try {
            long[] words = parser.apply(text).toLongArray();
            return words.length == 0 ? 0 : words[0];
        } catch (IllegalArgumentException e) {
            return fallback;
        }
    }

    private static String text(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            return null;
        }
    }

    private static void put(Path file, String content) throws IOException {
        if (!Files.isDirectory(file.getParent())) {
            Files.createDirectories(file.getParent());
        }
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(temp, content.endsWith("\n") ? content : content + "\n", StandardCharsets.US_ASCII);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
