package io.tunnelvision.rules.catalog;

import io.tunnelvision.rules.catalog.TuningEntry.Bounds;
import io.tunnelvision.rules.detect.NicChannelDetector;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.Nic;
import io.tunnelvision.schemas.avro.TuningAction;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * One entry per tuning action: its kernel file, what its target and values are, where the planner reads its
 * current value, the ladder it climbs and the bounds the agent enforces by default. The planner's ladders, the
 * agent's default bounds and file names and the doctor's shell commands all read from here, so an action is
 * described once. {@link TuningAction#UNKNOWN} has no entry.
 */
public final class TuningCatalog {

    private static final Map<TuningAction, TuningEntry> ENTRIES = entries();

    private TuningCatalog() {
    }

    /** @throws IllegalArgumentException for {@link TuningAction#UNKNOWN} */
    public static TuningEntry entry(TuningAction action) {
        TuningEntry entry = ENTRIES.get(action);
        if (entry == null) {
            throw new IllegalArgumentException("the catalog has no entry for " + action);
        }
        return entry;
    }

    /**
     * Where the planner reads the action's current value, of the kind the caller handles.
     *
     * @throws IllegalStateException when the catalog reads the action some other way
     */
    public static <R extends SampleReading> R reading(TuningAction action, Class<R> kind) {
        SampleReading reading = entry(action).reading();
        if (!kind.isInstance(reading)) {
            throw new IllegalStateException(action + " is read as " + reading.getClass().getSimpleName()
                    + ", not as " + kind.getSimpleName());
        }
        return kind.cast(reading);
    }

    public static Optional<TuningEntry> find(TuningAction action) {
        return Optional.ofNullable(ENTRIES.get(action));
    }

    public static Collection<TuningEntry> all() {
        return ENTRIES.values();
    }

    private static Map<TuningAction, TuningEntry> entries() {
        Map<TuningAction, TuningEntry> e = new EnumMap<>(TuningAction.class);
        // below 100 packets a burst of a busy tunnel tail-drops; above 10000 the queue is bufferbloat
        add(e, new TuningEntry(TuningAction.TXQUEUELEN, file("sys/class/net/{if}/tx_queue_len"),
                TargetKind.INTERFACE, ValueKind.INTEGER, new SampleReading.Interface(i -> (long) i.getTxQueueLen()),
                List.of(1000L, 2000L, 5000L), bounds(100, 10_000)));
        // 576 is the IPv4 minimum every host must accept; 9000 the usual jumbo frame. sysfs has no min_mtu or
        // max_mtu, so the device's own limits are only learnt from the kernel's EINVAL. The planner does not
        // climb: it lowers to the MTU the path allows.
        add(e, new TuningEntry(TuningAction.MTU, file("sys/class/net/{if}/mtu"),
                TargetKind.INTERFACE, ValueKind.INTEGER, new SampleReading.Interface(i -> (long) i.getMtu()),
                List.of(), bounds(576, 9_000)));
        add(e, new TuningEntry(TuningAction.RPS_CPUS, file("sys/class/net/{if}/queues/{queue}/rps_cpus"),
                TargetKind.RX_QUEUE, ValueKind.CPU_MASK,
                new SampleReading.Queue(q -> q.getRpsCpus() == null ? "0" : q.getRpsCpus()),
                List.of(), Optional.empty()));
        add(e, new TuningEntry(TuningAction.RPS_FLOW_CNT, file("sys/class/net/{if}/queues/{queue}/rps_flow_cnt"),
                TargetKind.RX_QUEUE, ValueKind.POWER_OF_TWO,
                new SampleReading.Queue(q -> Integer.toString(q.getRpsFlowCnt() == null ? 0 : q.getRpsFlowCnt())),
                List.of(4096L, 32_768L), bounds(0, 1 << 20)));
        // the kernel's scaling guide: 32768 "works fairly well on a moderately loaded server"; the table is global
        // and a larger one only costs memory, so once RFS has it the per-queue flow counts are what is stepped
        add(e, sysctl(TuningAction.RPS_SOCK_FLOW_ENTRIES, "rps_sock_flow_entries", ValueKind.POWER_OF_TWO,
                KernelSettingsSample::getRpsSockFlowEntries, List.of(32_768L), bounds(0, 1 << 20)));
        add(e, sysctl(TuningAction.NETDEV_BUDGET, "netdev_budget", ValueKind.INTEGER,
                KernelSettingsSample::getNetdevBudget, List.of(300L, 600L, 1200L), bounds(100, 3_000)));
        add(e, sysctl(TuningAction.NETDEV_BUDGET_USECS, "netdev_budget_usecs", ValueKind.INTEGER,
                KernelSettingsSample::getNetdevBudgetUsecs, List.of(2000L, 4000L, 8000L), bounds(1_000, 20_000)));
        add(e, sysctl(TuningAction.NETDEV_MAX_BACKLOG, "netdev_max_backlog", ValueKind.INTEGER,
                KernelSettingsSample::getNetdevMaxBacklog, List.of(1000L, 2000L, 5000L, 10000L),
                bounds(1_000, 100_000)));
        // VPN daemons (wireguard-go, OpenVPN) at gigabit rates want 16-64 MiB of socket buffer; 212992 is the
        // kernel's own default, which a rollback must be able to restore
        add(e, sysctl(TuningAction.RMEM_MAX, "rmem_max", ValueKind.INTEGER, KernelSettingsSample::getRmemMax,
                List.of(4_194_304L, 16_777_216L, 33_554_432L, 67_108_864L), bounds(65_536, 256L << 20)));
        add(e, sysctl(TuningAction.WMEM_MAX, "wmem_max", ValueKind.INTEGER, KernelSettingsSample::getWmemMax,
                List.of(4_194_304L, 16_777_216L, 33_554_432L, 67_108_864L), bounds(65_536, 256L << 20)));
        // 0 off, 1 strict, 2 loose: the kernel stores any integer, so the agent keeps to the meaningful ones
        add(e, new TuningEntry(TuningAction.RP_FILTER, file("proc/sys/net/ipv4/conf/{if}/rp_filter"),
                TargetKind.IPV4_CONF, ValueKind.INTEGER,
                new SampleReading.None("rp_filter's meaning for latency gives no safe compare-and-set basis"),
                List.of(), bounds(0, 2)));
        add(e, new TuningEntry(TuningAction.IRQ_AFFINITY, file("proc/irq/{irq}/smp_affinity_list"),
                TargetKind.IRQ_SET, ValueKind.CPU_LIST_SET, new SampleReading.IrqAffinities(), List.of(),
                Optional.empty()));
        // set through ethtool (ETHTOOL_MSG_COALESCE_SET): no file in /sys or /proc holds it. rx-usecs is "how many
        // usecs to delay an RX interrupt after a packet arrives" (include/uapi/linux/ethtool.h); 1000 µs caps a
        // queue at 1,000 interrupts/s, the low end of the manual's interrupt-rate row
        add(e, new TuningEntry(TuningAction.COALESCE_RX_USECS, Optional.empty(),
                TargetKind.INTERFACE, ValueKind.INTEGER, new SampleReading.NicSetting(Nic::getRxUsecs),
                List.of(), bounds(0, 1_000)));
        add(e, new TuningEntry(TuningAction.CPU_GOVERNOR,
                file("sys/devices/system/cpu/cpu{cpu}/cpufreq/scaling_governor"), TargetKind.CPU,
                ValueKind.GOVERNOR_NAME, new SampleReading.PerCpu(KernelSettingsSample::getCpuGovernors), List.of(),
                Optional.empty()));
        // tc qdisc replace: no file holds it; the proposer switches only a root a rollback re-creates exactly
        // (RootQdiscSwitch), the agent checks the same before it replaces anything
        add(e, new TuningEntry(TuningAction.ROOT_QDISC, Optional.empty(), TargetKind.INTERFACE,
                ValueKind.QDISC_KIND, new SampleReading.RootQdiscKind(), List.of(), Optional.empty()));
        // ethtool -G: the descriptors of each RX queue. The proposer doubles the ring toward the maximum the device
        // reports (ethtool -g's "Pre-set maximums"), never past it; the bounds hold the largest maximum the agent's
        // fixtures show (ena: 16384, fixtures/ethtool/ena-rings.txt); the device refuses what it cannot allocate
        add(e, new TuningEntry(TuningAction.RX_RING, Optional.empty(), TargetKind.INTERFACE, ValueKind.INTEGER,
                new SampleReading.NicSetting(Nic::getRxRing), List.of(), bounds(64, 16_384)));
        // ethtool -L: combined channels, or RX channels on a device without combined ones (veth: Combined n/a),
        // which the agent sets as rx N tx N; the proposer asks for one per CPU, at most the device's maximum
        add(e, new TuningEntry(TuningAction.COMBINED_CHANNELS, Optional.empty(), TargetKind.INTERFACE,
                ValueKind.INTEGER, new SampleReading.NicSetting(TuningCatalog::channels), List.of(), bounds(1, 256)));
        return e;
    }

    /** The channels a NIC runs as COMBINED_CHANNELS counts them: combined, else RX (NicChannelDetector's rule). */
    private static Integer channels(Nic nic) {
        NicChannelDetector.Channels channels = NicChannelDetector.channels(nic);
        return channels == null ? null : channels.current();
    }

    private static TuningEntry sysctl(TuningAction action, String name, ValueKind value,
                                      Function<KernelSettingsSample, Long> reading,
                                      List<Long> ladder, Optional<Bounds> bounds) {
        return new TuningEntry(action, file("proc/sys/net/core/" + name), TargetKind.HOST, value,
                new SampleReading.Kernel(reading), ladder, bounds);
    }

    private static void add(Map<TuningAction, TuningEntry> entries, TuningEntry entry) {
        if (entries.put(entry.action(), entry) != null) {
            throw new IllegalStateException("two catalog entries for " + entry.action());
        }
    }

    private static Optional<String> file(String path) {
        return Optional.of(path);
    }

    private static Optional<Bounds> bounds(long min, long max) {
        return Optional.of(new Bounds(min, max));
    }
}
