package io.tunnelvision.agent.doctor;

import io.tunnelvision.rules.cpu.CpuList;
import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.IrqLine;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.LinkCounters;
import io.tunnelvision.schemas.avro.LinkSample;
import io.tunnelvision.schemas.avro.RxQueue;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.SoftnetCpu;
import io.tunnelvision.schemas.avro.SoftnetSample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * A host for check tests, changed between {@link #build()} calls: build the first reading, change counters,
 * {@link #later(long)}, build the second.
 */
final class HostBuilder {

    static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final SampleHeader HEADER = new SampleHeader("gw-test", "boot", 0L, 0L, "test");
    private long sequence;

    private BitSet online;
    private int possible;
    private Instant at = T0;
    private final Map<String, IrqLine> irqs = new LinkedHashMap<>();
    private final Map<Integer, long[]> ticks = new HashMap<>();
    private final Map<Integer, Long> netRx = new HashMap<>();
    private final Map<Integer, SoftnetCpu> softnet = new LinkedHashMap<>();
    private final Map<String, InterfaceConfig> interfaces = new LinkedHashMap<>();
    private final Map<String, LinkCounters> links = new LinkedHashMap<>();
    private final KernelSettingsSample kernel = KernelSettingsSample.newBuilder().setHeader(HEADER)
            .setRpFilter(new HashMap<>()).setCpuGovernors(new HashMap<>()).build();
    private final List<DefaultRoute> routes = new ArrayList<>();
    private Boolean forwarding = false;
    private Long rmemDefault = 212992L;
    private String rpsDefaultMask;
    private boolean irqbalance;

    private HostBuilder(String onlineList, int possible) {
        this.online = CpuList.parse(onlineList);
        this.possible = possible;
        for (int cpu = online.nextSetBit(0); cpu >= 0; cpu = online.nextSetBit(cpu + 1)) {
            ticks.put(cpu, new long[] {0, 0});
            softnet.put(cpu, new SoftnetCpu(softnet.size(), cpu, 0L, 0L, 0L, null, null, null));
        }
    }

    /** CPUs 0 to n-1 online, n possible. */
    static HostBuilder cpus(int n) {
        return new HostBuilder("0-" + (n - 1), n);
    }

    static HostBuilder cpus(String onlineList, int possible) {
        return new HostBuilder(onlineList, possible);
    }

    HostBuilder later(long seconds) {
        at = at.plusSeconds(seconds);
        return this;
    }

    /**
     * Sets the cumulative per-online-CPU counts of a /proc/interrupts row; its configured affinity is the CPU with
     * the most interrupts (where the kernel delivers them).
     */
    HostBuilder irq(String irq, String device, long... counts) {
        List<Long> list = new ArrayList<>();
        int busiest = 0;
        for (int i = 0; i < counts.length; i++) {
            list.add(counts[i]);
            if (counts[i] > counts[busiest]) {
                busiest = i;
            }
        }
        irqs.put(irq, IrqLine.newBuilder().setIrq(irq).setChip("IR-PCI-MSIX-0000:3b:00.0").setHwirq("1")
                .setTrigger("edge").setDevices(List.of(device)).setCounts(list)
                .setAffinity(Integer.toString(busiest)).build());
        return this;
    }

    /** Cumulative softirq and total ticks of one CPU. */
    HostBuilder ticks(int cpu, long softirq, long total) {
        ticks.put(cpu, new long[] {softirq, total});
        return this;
    }

    /** The cumulative NET_RX softirq count of one CPU (/proc/softirqs). */
    HostBuilder netRx(int cpu, long count) {
        netRx.put(cpu, count);
        return this;
    }

    HostBuilder softnet(int cpu, long processed, long dropped, long squeeze) {
        SoftnetCpu c = softnet.get(cpu);
        c.setProcessed(processed);
        c.setDropped(dropped);
        c.setTimeSqueeze(squeeze);
        return this;
    }

    /** An interface with one rx queue per mask, RPS flow count 0. */
    HostBuilder iface(String name, InterfaceKind kind, int mtu, int txQueueLen, String... rpsMasks) {
        List<RxQueue> queues = new ArrayList<>();
        for (int q = 0; q < rpsMasks.length; q++) {
            queues.add(new RxQueue("rx-" + q, rpsMasks[q], 0));
        }
        interfaces.put(name, new InterfaceConfig(name, interfaces.size() + 1, kind, mtu, txQueueLen,
                kind == InterfaceKind.PHYSICAL ? "up" : "unknown", queues, null));
        links.put(name, new LinkCounters(name, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L));
        return this;
    }

    HostBuilder change(String name, Consumer<InterfaceConfig> change) {
        change.accept(interfaces.get(name));
        return this;
    }

    /** Sets a LinkCounters field by its Avro name, e.g. {@code txDropped}. */
    HostBuilder counter(String iface, String field, long value) {
        links.get(iface).put(field, value);
        return this;
    }

    HostBuilder kernel(Consumer<KernelSettingsSample> change) {
        change.accept(kernel);
        return this;
    }

    HostBuilder defaultRoute(String iface, long metric, boolean ipv6) {
        routes.add(new DefaultRoute(iface, metric, ipv6));
        return this;
    }

    HostBuilder forwarding(boolean on) {
        forwarding = on;
        return this;
    }

    HostBuilder rpsDefaultMask(String mask) {
        rpsDefaultMask = mask;
        return this;
    }

    HostBuilder irqbalance(boolean running) {
        irqbalance = running;
        return this;
    }

    /** A reading dated now, its samples' headers too: the rules' rates are taken between those. */
    HostReading build() {
        SampleHeader header = new SampleHeader("gw-test", "boot", sequence++, at.toEpochMilli(), "test");
        List<Integer> cpus = online.stream().boxed().toList();
        List<IrqLine> lines = new ArrayList<>();
        irqs.values().forEach(l -> lines.add(copy(l)));
        List<Long> zeros = new ArrayList<>();
        List<Long> softirq = new ArrayList<>();
        List<Long> total = new ArrayList<>();
        List<Long> rx = new ArrayList<>();
        for (int cpu : cpus) {
            zeros.add(0L);
            rx.add(netRx.getOrDefault(cpu, 0L));
            softirq.add(ticks.get(cpu)[0]);
            total.add(ticks.get(cpu)[1]);
        }
        InterruptSample interrupts = new InterruptSample(header, cpus, lines, zeros, rx, zeros, softirq, total);
        List<SoftnetCpu> net = new ArrayList<>();
        softnet.values().forEach(c -> net.add(copy(c)));
        List<InterfaceConfig> configs = new ArrayList<>();
        for (InterfaceConfig i : interfaces.values()) {
            // copied by hand: Avro's deep copy refuses enum classes its ClassSecurityValidator does not trust
            List<RxQueue> queues = new ArrayList<>();
            i.getRxQueues().forEach(q -> queues.add(new RxQueue(q.getQueue(), q.getRpsCpus(), q.getRpsFlowCnt())));
            configs.add(new InterfaceConfig(i.getName(), i.getIfindex(), i.getKind(), i.getMtu(), i.getTxQueueLen(),
                    i.getOperState(), queues, i.getUnderlay()));
        }
        List<LinkCounters> counters = new ArrayList<>();
        links.values().forEach(c -> counters.add(copy(c)));
        HostFacts facts = new HostFacts(online, possible, routes, forwarding, rmemDefault, rmemDefault,
                rpsDefaultMask, irqbalance);
        KernelSettingsSample settings = copy(kernel);
        settings.setHeader(header);
        return new HostReading(at, interrupts, new SoftnetSample(header, net), new LinkSample(header, counters),
                new InterfaceConfigSample(header, configs), settings, facts);
    }

    /**
     * A field-by-field copy, so that later changes to this builder do not reach a reading already built. Not
     * Avro's deep copy: its ClassSecurityValidator refuses the generated classes unless a system property trusts
     * them. Tests replace lists and maps rather than changing them, so copying references is enough.
     */
    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecordBase> T copy(T record) {
        try {
            T copy = (T) record.getClass().getDeclaredConstructor().newInstance();
            for (int i = 0; i < record.getSchema().getFields().size(); i++) {
                copy.put(i, record.get(i));
            }
            return copy;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The doctor's findings of one check over two readings: the rules' bad findings that check explains. */
    static List<Finding> examine(Check check, HostReading first, HostReading second) {
        return Doctor.examine(first, second).findings().stream().filter(f -> f.check().equals(check.name()))
                .toList();
    }
}
