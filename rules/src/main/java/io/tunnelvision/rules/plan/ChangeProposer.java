package io.tunnelvision.rules.plan;

import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.Nic;
import io.tunnelvision.schemas.avro.RxQueue;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.rules.catalog.SampleReading;
import io.tunnelvision.rules.catalog.TuningCatalog;
import io.tunnelvision.rules.catalog.TuningEntry;
import io.tunnelvision.rules.cpu.CpuMask;
import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.detect.NicChannelDetector;
import io.tunnelvision.rules.detect.NicRxDropDetector;
import io.tunnelvision.rules.detect.Tunnels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Predicate;

/**
 * Turns one action of the policy into concrete changes for one host: which target, what the setting is now
 * (from the latest samples) and what it should become. No change is proposed when the current value is not
 * known (nothing to compare-and-set against), when it is already at the cap, or when it already is the goal. The
 * NIC settings climb toward the device's own maximum (and the catalog's bounds), which only the NIC sample knows.
 */
final class ChangeProposer {

    static final String HOST_TARGET = "host";
    static final String GOVERNOR = "performance";
    /** The smallest MTU the agent accepts by default; a lower recommendation is not proposed. */
    private static final long MTU_MIN = TuningCatalog.entry(TuningAction.MTU).bounds().orElseThrow().min();

    private ChangeProposer() {
    }

    static List<Change> propose(TuningAction action, Finding finding, HostContext host) {
        return propose(action, finding, host, key -> false);
    }

    /**
     * As above, with the values that are backed off after a rollback ({@link Change#backoffKey()}) skipped on a
     * ladder: the next rung is tried instead.
     */
    static List<Change> propose(TuningAction action, Finding finding, HostContext host, Predicate<String> backedOff) {
        return switch (action) {
            case TXQUEUELEN -> txQueueLen(finding, host, backedOff);
            case MTU -> mtu(finding, host);
            case RPS_CPUS -> perQueue(action, finding, host, ChangeProposer::rpsCpus);
            case RPS_FLOW_CNT -> perQueue(action, finding, host, (t, q, h) -> rpsFlowCnt(t, q, backedOff));
            case RPS_SOCK_FLOW_ENTRIES, NETDEV_BUDGET, NETDEV_BUDGET_USECS, NETDEV_MAX_BACKLOG, RMEM_MAX, WMEM_MAX ->
                    sysctl(action, host, backedOff);
            case IRQ_AFFINITY -> irqAffinity(finding, host);
            case CPU_GOVERNOR -> governor(host);
            case RX_RING -> rxRing(finding, host, backedOff);
            case COMBINED_CHANNELS -> channels(finding, host, backedOff);
            case COALESCE_RX_USECS -> rxUsecs(finding, host, backedOff);
            case ROOT_QDISC -> rootQdisc(finding, host, backedOff);
            // rp_filter's meaning for latency is nothing the samples give a safe compare-and-set basis for: a
            // policy naming it is reported, never executed
            case RP_FILTER, UNKNOWN -> List.of();
        };
    }

    private static List<Change> txQueueLen(Finding finding, HostContext host, Predicate<String> backedOff) {
        Optional<InterfaceConfig> iface = Tunnels.find(host.interfaces(), finding.target());
        if (iface.isEmpty()) {
            return List.of();
        }
        return step(TuningAction.TXQUEUELEN, finding.target(), interfaceValue(TuningAction.TXQUEUELEN, iface.get()),
                backedOff);
    }

    private static List<Change> mtu(Finding finding, HostContext host) {
        Optional<InterfaceConfig> iface = Tunnels.find(host.interfaces(), finding.target());
        Double recommended = finding.evidence().get("recommendedMtu");
        if (iface.isEmpty() || recommended == null || recommended < MTU_MIN) {
            return List.of();
        }
        long current = interfaceValue(TuningAction.MTU, iface.get());
        if (recommended >= current) {
            return List.of();
        }
        return List.of(new Change(TuningAction.MTU, finding.target(), Long.toString(current),
                Integer.toString(recommended.intValue())));
    }

    /**
     * The NIC's RX ring doubled, at most the maximum the device reports and the catalog's bound: the detector's
     * {@link NicRxDropDetector#recommendedRxRing}. None at the maximum, or when the next size was rolled back.
     */
    private static List<Change> rxRing(Finding finding, HostContext host, Predicate<String> backedOff) {
        Optional<Nic> nic = host.nic(finding.target());
        Integer current = nic.map(n -> nicValue(TuningAction.RX_RING, n)).orElse(null);
        if (current == null || nic.get().getRxRingMax() == null) {
            return List.of();
        }
        Integer next = NicRxDropDetector.recommendedRxRing(current, nic.get().getRxRingMax());
        return next == null ? List.of() : raise(TuningAction.RX_RING, finding.target(), current, next, backedOff);
    }

    /**
     * One channel per online CPU, at most the device's maximum and the catalog's bound, as
     * {@link NicChannelDetector} recommends: combined channels, or RX channels on a device without combined ones.
     */
    private static List<Change> channels(Finding finding, HostContext host, Predicate<String> backedOff) {
        Optional<Nic> nic = host.nic(finding.target());
        Integer current = nic.map(n -> nicValue(TuningAction.COMBINED_CHANNELS, n)).orElse(null);
        NicChannelDetector.Channels channels = nic.map(NicChannelDetector::channels).orElse(null);
        if (current == null || channels == null || host.onlineCpus().isEmpty()) {
            return List.of();
        }
        int wanted = Math.min(channels.max(), host.onlineCpus().size());
        return raise(TuningAction.COMBINED_CHANNELS, finding.target(), current, wanted, backedOff);
    }

    /**
     * rx-usecs lowered to {@code nicRxUsecsMax} (the manual's rx-usecs 100: at most 10,000 interrupts/s a queue,
     * the top of its interrupt-rate row), as {@link io.tunnelvision.rules.detect.NicCoalescingDetector} recommends.
     * None with adaptive-rx on (the driver keeps the delay low itself), at or below the target, or when the target
     * was rolled back.
     */
    private static List<Change> rxUsecs(Finding finding, HostContext host, Predicate<String> backedOff) {
        Optional<Nic> nic = host.nic(finding.target());
        Integer current = nic.map(n -> nicValue(TuningAction.COALESCE_RX_USECS, n)).orElse(null);
        if (current == null || !Boolean.FALSE.equals(nic.get().getAdaptiveRx())) {
            return List.of();
        }
        long wanted = host.thresholds().nicRxUsecsMax();
        if (wanted >= current || !bounds(TuningAction.COALESCE_RX_USECS).contains(wanted)
                || backedOff.test(Change.valueKey(TuningAction.COALESCE_RX_USECS, finding.target(),
                        Long.toString(wanted)))) {
            return List.of();
        }
        return List.of(new Change(TuningAction.COALESCE_RX_USECS, finding.target(), Integer.toString(current),
                Long.toString(wanted)));
    }

    /** The root qdisc switched to fq_codel, only over a root {@link RootQdiscSwitch} allows. */
    private static List<Change> rootQdisc(Finding finding, HostContext host, Predicate<String> backedOff) {
        String current = host.rootQdisc(finding.target()).map(q -> q.getKind()).orElse(null);
        if (!RootQdiscSwitch.replaceable(current) || backedOff.test(Change.valueKey(TuningAction.ROOT_QDISC,
                finding.target(), RootQdiscSwitch.FQ_CODEL))) {
            return List.of();
        }
        return List.of(new Change(TuningAction.ROOT_QDISC, finding.target(), current, RootQdiscSwitch.FQ_CODEL));
    }

    /** From {@code current} up to {@code wanted}, clamped to the catalog's bounds; none when that is no raise. */
    private static List<Change> raise(TuningAction action, String target, long current, long wanted,
                                      Predicate<String> backedOff) {
        long next = Math.min(wanted, bounds(action).max());
        if (next <= current || backedOff.test(Change.valueKey(action, target, Long.toString(next)))) {
            return List.of();
        }
        return List.of(new Change(action, target, Long.toString(current), Long.toString(next)));
    }

    private static TuningEntry.Bounds bounds(TuningAction action) {
        return TuningCatalog.entry(action).bounds().orElseThrow();
    }

    private static Integer nicValue(TuningAction action, Nic nic) {
        return TuningCatalog.reading(action, SampleReading.NicSetting.class).value().apply(nic);
    }

    private static long interfaceValue(TuningAction action, InterfaceConfig iface) {
        return TuningCatalog.reading(action, SampleReading.Interface.class).value().apply(iface);
    }

    private static String queueValue(TuningAction action, RxQueue queue) {
        return TuningCatalog.reading(action, SampleReading.Queue.class).value().apply(queue);
    }

    /** The finding's own interface when it names one, else every tunnel with RPS off. */
    private static List<InterfaceConfig> rpsInterfaces(Finding finding, HostContext host) {
        Optional<InterfaceConfig> named = Tunnels.find(host.interfaces(), finding.target());
        if (named.isPresent()) {
            return List.of(named.get());
        }
        return Tunnels.tunnels(host.interfaces()).stream().filter(Tunnels::rpsOff).toList();
    }

    private static List<Change> perQueue(TuningAction action, Finding finding, HostContext host,
                                         QueueChange change) {
        List<Change> changes = new ArrayList<>();
        for (InterfaceConfig iface : rpsInterfaces(finding, host)) {
            for (RxQueue queue : iface.getRxQueues()) {
                change.of(iface.getName() + "/" + queue.getQueue(), queue, host).ifPresent(changes::add);
            }
        }
        return changes;
    }

    private interface QueueChange {
        Optional<Change> of(String target, RxQueue queue, HostContext host);
    }

    private static Optional<Change> rpsCpus(String target, RxQueue queue, HostContext host) {
        if (host.onlineCpus().size() < 2) {
            return Optional.empty();
        }
        String current = queueValue(TuningAction.RPS_CPUS, queue);
        String wanted = CpuMask.of(host.onlineCpus());
        if (CpuMask.sameCpus(current, wanted)) {
            return Optional.empty();
        }
        return Optional.of(new Change(TuningAction.RPS_CPUS, target, current, wanted));
    }

    private static Optional<Change> rpsFlowCnt(String target, RxQueue queue, Predicate<String> backedOff) {
        long current = Long.parseLong(queueValue(TuningAction.RPS_FLOW_CNT, queue));
        return step(TuningAction.RPS_FLOW_CNT, target, current, backedOff).stream().findFirst();
    }

    /** A host-wide sysctl, read from the kernel settings sample where the catalog says it is. */
    private static List<Change> sysctl(TuningAction action, HostContext host, Predicate<String> backedOff) {
        SampleReading.Kernel kernel = TuningCatalog.reading(action, SampleReading.Kernel.class);
        Long current = host.kernel() == null ? null : kernel.value().apply(host.kernel());
        if (current == null) {
            return List.of();
        }
        return step(action, HOST_TARGET, current, backedOff);
    }

    private static List<Change> step(TuningAction action, String target, long current, Predicate<String> backedOff) {
        OptionalLong next = StepLadder.next(action, current,
                value -> backedOff.test(Change.valueKey(action, target, Long.toString(value))));
        if (next.isEmpty()) {
            return List.of();
        }
        return List.of(new Change(action, target, Long.toString(current), Long.toString(next.getAsLong())));
    }

    /**
     * Spreads all of the device's queue IRQs over distinct CPUs in one change ({@link IrqSpread}), compared and
     * set against each IRQ's configured affinity. A single-queue NIC gets none: moving its only IRQ only moves the
     * hotspot, RPS is its remedy.
     */
    private static List<Change> irqAffinity(Finding finding, HostContext host) {
        Double queues = finding.evidence().get("queues");
        if (queues != null && queues < 2) {
            return List.of();
        }
        return IrqSpread.forDevice(finding.target(), host.interrupts(), host.interruptRates(), host.thresholds())
                .map(List::of).orElse(List.of());
    }

    private static List<Change> governor(HostContext host) {
        if (host.kernel() == null) {
            return List.of();
        }
        List<Change> changes = new ArrayList<>();
        Map<String, String> governors = TuningCatalog.reading(TuningAction.CPU_GOVERNOR, SampleReading.PerCpu.class)
                .values().apply(host.kernel());
        for (Map.Entry<String, String> cpu : governors.entrySet()) {
            if (!GOVERNOR.equals(cpu.getValue())) {
                changes.add(new Change(TuningAction.CPU_GOVERNOR, cpu.getKey(), cpu.getValue(), GOVERNOR));
            }
        }
        return changes;
    }
}
