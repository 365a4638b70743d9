package io.tunnelvision.local.sim;

import io.tunnelvision.rules.cpu.CpuList;
import io.tunnelvision.rules.cpu.CpuMask;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.IntToLongFunction;
import java.util.stream.Stream;

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
    /** Marks a tree this class made, which a new boot may clear. */
    private static final String MARKER = ".tunnelvision-sim";
    private static final String PCI_ROOT = "devices/pci0000:00/";
    /** The main table of a gateway: eth0 on 10.0.0.0/24 with the default route, the tunnel's subnet on it. */
    private static final String UNDERLAY_NET = "10.0.0.0";
    private static final String UNDERLAY_GATEWAY = "10.0.0.1";

    private final Path root;
    private final Path proc;
    private final Path sys;
    private GatewaySettings written;
    /** The affinity each queue vector's /proc/irq files were last written with; null: to be written. */
    private Long[] renderedAffinity;

    public ProcTreeWriter(Path root) {
        this.root = root;
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
            writeAffinities(g.settings(), g);
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
        for (int q = 0; q < queues; q++) {
            rps.add(mask(net("eth0/queues/rx-" + q + "/rps_cpus"), s.underlayRpsCpus().get(q)) & online);
        }
        // Every queue vector is read each step, so a change set moving many IRQs at once is taken in whole. The
        // kernel refuses an affinity without an online CPU (EINVAL) and prints what it took as a canonical list.
        List<Integer> irqs = g.layout().queueVectorIrqs;
        List<Long> affinity = new ArrayList<>(irqs.size());
        for (int v = 0; v < irqs.size(); v++) {
            long old = s.irqAffinity().get(v);
            String text = text(irqDir(irqs.get(v)).resolve("smp_affinity_list"));
            long read = old;
            if (text != null && !text.equals(cpuListText(old))) {
                read = parsedOr(text, 0L, CpuList::parse) & online;
                if (read == 0) {
                    read = old; // refused: the file shows the old value again at the next write
                    renderedAffinity[v] = null;
                }
            }
            affinity.add(read);
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

    private Path irqDir(int irq) {
        return proc.resolve("irq/" + irq);
    }

    private Path core(String name) {
        return proc.resolve("sys/net/core/" + name);
    }

    private void writeStatic(SimulatedGateway g) throws IOException {
        freshBoot();
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
        for (int q = 0; q < g.settings().rxQueues(); q++) {
            put(net("eth0/queues/rx-" + q + "/rps_flow_cnt"), "0");
        }
        TunnelKind kind = g.kind();
        // tunnels are "unknown", not "up": none of tun, wireguard or vxlan reports a carrier state of its own
        iface(tun, TUNNEL, TUNNEL, kind.arphrdType(), kind.devType(), kind.tunFlags());
        put(net(tun + "/queues/rx-0/rps_flow_cnt"), "0");
        if (kind.hasLowerLink()) {
            put(net(tun + "/lower_eth0/uevent"), "INTERFACE=eth0\nIFINDEX=" + ETH0 + "\n");
        }
        numaNodes(g.hardware());
        nic(g);
        put(proc.resolve("net/route"), routes(kind));
    }

    /**
     * A new boot has a new /proc and /sys: what a previous run of the same gateway left (other vectors, another
     * NIC, settings the executor wrote) goes. Only a tree this class marked is cleared.
     */
    private void freshBoot() throws IOException {
        Path marker = root.resolve(MARKER);
        if (Files.exists(marker)) {
            for (Path dir : List.of(proc, sys)) {
                if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    try (Stream<Path> walk = Files.walk(dir)) {
                        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                            Files.delete(p);
                        }
                    }
                }
            }
        }
        Files.createDirectories(root);
        put(marker, "a simulated /proc and /sys, cleared at each boot of the gateway");
    }

    private void numaNodes(Hardware h) throws IOException {
        Path nodes = sys.resolve("devices/system/node");
        put(nodes.resolve("online"), h.numaNodes() == 1 ? "0" : "0-" + (h.numaNodes() - 1));
        put(nodes.resolve("possible"), h.numaNodes() == 1 ? "0" : "0-" + (h.numaNodes() - 1));
        for (int node = 0; node < h.numaNodes(); node++) {
            put(nodes.resolve("node" + node + "/cpulist"), CpuList.format(h.nodeCpus(node)));
            put(nodes.resolve("node" + node + "/cpumap"), CpuMask.format(h.nodeCpus(node), h.cpus()));
        }
    }

    /**
     * The NIC's PCI function as sysfs shows it (Documentation/ABI/testing/sysfs-bus-pci): vendor, device, class,
     * numa_node, local_cpulist and local_cpus, one {@code msi_irqs/<irq>} file per vector holding "msix", and
     * the {@code driver} link; {@code /sys/class/net/eth0/device} links to it (to its {@code virtio0} child for
     * virtio-net). Then each vector's {@code /proc/irq/<n>}: a directory named after the vector as the kernel
     * makes, {@code node}, {@code affinity_hint}, and for control vectors the affinity files, which stay at the
     * boot default (every CPU, landing on CPU 0).
     */
    private void nic(SimulatedGateway g) throws IOException {
        Hardware h = g.hardware();
        NicDriver nic = h.nic();
        String pci = nic.pciAddress();
        Path function = sys.resolve(PCI_ROOT + pci);
        boolean virtio = nic.virtioChild();
        String pciDriver = virtio ? "virtio-pci" : nic.driver();
        BitSet local = h.nicNumaNode() < 0 ? h.nodeCpus(0) : h.nodeCpus(h.nicNumaNode());
        put(function.resolve("vendor"), nic.vendor());
        put(function.resolve("device"), nic.deviceId());
        put(function.resolve("class"), "0x020000");
        put(function.resolve("irq"), nic.bareMetal() ? "16" : "11");
        put(function.resolve("numa_node"), String.valueOf(h.nicNumaNode()));
        put(function.resolve("local_cpulist"), CpuList.format(local));
        put(function.resolve("local_cpus"), CpuMask.format(local, h.cpus()));
        put(function.resolve("uevent"), "DRIVER=" + pciDriver + "\nPCI_CLASS=20000\nPCI_ID="
                + (nic.vendor().substring(2) + ":" + nic.deviceId().substring(2)).toUpperCase(Locale.ROOT)
                + "\nPCI_SLOT_NAME=" + pci + "\n");
        link(function.resolve("driver"), "../../../bus/pci/drivers/" + pciDriver,
                sys.resolve("bus/pci/drivers/" + pciDriver));
        List<NicDriver.Vector> vectors = g.layout().all;
        for (int i = 0; i < vectors.size(); i++) {
            put(function.resolve("msi_irqs/" + (NicLayout.FIRST_IRQ + i)), "msix");
        }
        String target = "../../../" + PCI_ROOT + pci;
        if (virtio) {
            Path child = function.resolve("virtio0");
            put(child.resolve("vendor"), "0x1af4");
            put(child.resolve("device"), "0x0001");
            put(child.resolve("uevent"), "DRIVER=virtio_net\nMODALIAS=virtio:d00000001v00001AF4\n");
            link(child.resolve("driver"), "../../../../bus/virtio/drivers/virtio_net",
                    sys.resolve("bus/virtio/drivers/virtio_net"));
            target += "/virtio0";
        }
        link(net("eth0/device"), target, null);

        put(proc.resolve("irq/default_smp_affinity"), CpuMask.format(allCpus(h.cpus()), h.cpus()));
        String node = String.valueOf(Math.max(0, h.nicNumaNode()));
        List<Long> hints = NicLayout.defaultAffinity(h);
        int queueVector = 0;
        for (int i = 0; i < vectors.size(); i++) {
            NicDriver.Vector v = vectors.get(i);
            Path dir = irqDir(NicLayout.FIRST_IRQ + i);
            Files.createDirectories(dir.resolve(v.name()));
            put(dir.resolve("node"), node);
            if (v.role() == NicDriver.Role.CONTROL) {
                put(dir.resolve("affinity_hint"), CpuMask.format(new BitSet(), h.cpus()));
                put(dir.resolve("smp_affinity_list"), CpuList.format(allCpus(h.cpus())));
                put(dir.resolve("smp_affinity"), CpuMask.format(allCpus(h.cpus()), h.cpus()));
                put(dir.resolve("effective_affinity_list"), "0");
                put(dir.resolve("effective_affinity"), format(1L, h.cpus()));
            } else {
                put(dir.resolve("affinity_hint"), format(hints.get(queueVector++), h.cpus()));
            }
        }
        renderedAffinity = new Long[g.layout().queueVectors()];
    }

    private static BitSet allCpus(int cpus) {
        BitSet all = new BitSet();
        all.set(0, cpus);
        return all;
    }

    /** A relative symbolic link, replacing whatever is there; {@code targetDir} is created first when given. */
    private static void link(Path link, String target, Path targetDir) throws IOException {
        if (targetDir != null) {
            Files.createDirectories(targetDir);
        }
        Files.createDirectories(link.getParent());
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, Path.of(target));
    }

    /**
     * {@code /proc/net/route} as fib_route_seq_show prints it: a header and one line per route of the main table,
     * tab separated, addresses as the hex of their network-order bytes read little-endian, every line padded to
     * 127 characters. eth0 holds the default route; the tunnel has its own subnet and the overlay behind it, and
     * no sysfs link to eth0 for WireGuard and tun, so the routes are how an agent finds the underlay.
     */
    static String routes(TunnelKind kind) {
        String tun = kind.interfaceName();
        String overlay = switch (kind) {
            case WIREGUARD -> "10.200.0.0";
            case TUN -> "10.8.0.0";
            case VXLAN -> "10.201.0.0";
        };
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%-127s%n",
                "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT"));
        route(out, "eth0", "0.0.0.0", UNDERLAY_GATEWAY, 0x0003, 100, 0);
        route(out, "eth0", UNDERLAY_NET, "0.0.0.0", 0x0001, 100, 24);
        route(out, tun, "10.100.0.0", kind == TunnelKind.TUN ? "10.8.0.1" : "0.0.0.0",
                kind == TunnelKind.TUN ? 0x0003 : 0x0001, 0, 16);
        route(out, tun, overlay, "0.0.0.0", 0x0001, 0, 24);
        return out.toString();
    }

    private static void route(StringBuilder out, String iface, String destination, String gateway, int flags,
            int metric, int prefix) {
        long mask = prefix == 0 ? 0 : (0xFFFF_FFFFL << (32 - prefix)) & 0xFFFF_FFFFL;
        out.append(String.format(Locale.ROOT, "%-127s%n", String.format(Locale.ROOT,
                "%s\t%08X\t%08X\t%04X\t%d\t%d\t%d\t%08X\t%d\t%d\t%d", iface, littleEndian(ipv4(destination)),
                littleEndian(ipv4(gateway)), flags, 0, 0, metric, littleEndian(mask), 0, 0, 0)));
    }

    private static long ipv4(String dotted) {
        long value = 0;
        for (String part : dotted.split("\\.")) {
            value = value << 8 | Integer.parseInt(part);
        }
        return value;
    }

    private static long littleEndian(long address) {
        return Integer.toUnsignedLong(Integer.reverseBytes((int) address));
    }

    private void iface(String name, int ifindex, int iflink, int type, String devType, Integer tunFlags)
            throws IOException {
        put(net(name + "/ifindex"), String.valueOf(ifindex));
        put(net(name + "/iflink"), String.valueOf(iflink));
        put(net(name + "/type"), String.valueOf(type));
        put(net(name + "/operstate"), name.equals("eth0") ? "up" : "unknown");
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

    /**
     * Each queue vector's affinity files whose value changed since they were written, whether the model (a
     * fault) or the executor changed it: {@code smp_affinity_list} in the kernel's canonical form ("0-3" for
     * "0,1,2,3"), {@code smp_affinity} as a mask, and {@code effective_affinity(_list)}, the one CPU the interrupt
     * lands on. A write to {@code smp_affinity} itself is not read back: the executor writes the list.
     */
    private void writeAffinities(GatewaySettings s, SimulatedGateway g) throws IOException {
        List<Integer> irqs = g.layout().queueVectorIrqs;
        for (int v = 0; v < irqs.size(); v++) {
            long affinity = s.irqAffinity().get(v);
            if (renderedAffinity[v] != null && renderedAffinity[v] == affinity) {
                continue;
            }
            Path dir = irqDir(irqs.get(v));
            long effective = 1L << g.effectiveCpu(affinity);
            put(dir.resolve("smp_affinity_list"), CpuList.format(BitSet.valueOf(new long[] {affinity})));
            put(dir.resolve("smp_affinity"), format(affinity, g.cpus()));
            put(dir.resolve("effective_affinity_list"), CpuList.format(BitSet.valueOf(new long[] {effective})));
            put(dir.resolve("effective_affinity"), format(effective, g.cpus()));
            renderedAffinity[v] = affinity;
        }
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
        NicLayout layout = g.layout();
        NicDriver nic = g.hardware().nic();
        int queueVector = 0;
        for (int i = 0; i < layout.all.size(); i++) {
            NicDriver.Vector v = layout.all.get(i);
            IntToLongFunction count;
            if (v.role() == NicDriver.Role.CONTROL) {
                count = cpu -> cpu == 0 ? 3 : 0; // link and firmware events: a handful since boot
            } else {
                int qv = queueVector++;
                count = cpu -> g.irqCount(qv, cpu);
            }
            row(out, String.valueOf(NicLayout.FIRST_IRQ + i), n, count).append("  ").append(chip(nic, i))
                    .append("-edge      ").append(v.name()).append('\n');
        }
        row(out, "NMI", n, cpu -> 0).append("  Non-maskable interrupts\n");
        row(out, "LOC", n, cpu -> g.totalTicks(cpu) * 10).append("  Local timer interrupts\n");
        return out.toString();
    }

    /**
     * The chip and hwirq columns of a vector: {@code IR-PCI-MSIX-0000:3b:00.0 3} on 6.2 and later, {@code
     * IR-PCI-MSI 30932995} before, where hwirq is the vector index plus the PCI bus, device and function shifted
     * left by 11 (pci_msi_domain_calc_hwirq); no {@code IR-} without interrupt remapping, as in most VMs.
     */
    static String chip(NicDriver nic, int index) {
        String prefix = nic.bareMetal() ? "IR-" : "";
        String pci = nic.pciAddress();
        if (nic.newChipNames()) {
            return prefix + "PCI-MSIX-" + pci + " " + index;
        }
        int bus = Integer.parseInt(pci.substring(5, 7), 16);
        int device = Integer.parseInt(pci.substring(8, 10), 16);
        int function = Integer.parseInt(pci.substring(11), 16);
        long hwirq = ((long) (bus << 8 | device << 3 | function) << 11) | index;
        return prefix + "PCI-MSI " + hwirq;
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

    private static String cpuListText(long mask) {
        return CpuList.format(BitSet.valueOf(new long[] {mask}));
    }

    private static long bits(Path file, long fallback, Function<String, BitSet> parser) {
        String text = text(file);
        return text == null ? fallback : parsedOr(text, fallback, parser);
    }

    private static long parsedOr(String text, long fallback, Function<String, BitSet> parser) {
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
