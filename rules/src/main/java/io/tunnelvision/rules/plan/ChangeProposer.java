package io.tunnelvision.rules.plan;

import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.RxQueue;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.rules.catalog.SampleReading;
import io.tunnelvision.rules.catalog.TuningCatalog;
import io.tunnelvision.rules.cpu.CpuMask;
import io.tunnelvision.rules.detect.Finding;
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
 * known (nothing to compare-and-set against), when it is already at the cap, or when it already is the goal.
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
            // Neither the current coalescing nor rp_filter's meaning for latency is something the samples give a
            // safe compare-and-set basis for: a policy naming them is reported, never executed.
            case COALESCE_RX_USECS, RP_FILTER, UNKNOWN -> List.of();
            // The agent does not collect the root qdisc, ring sizes or channels yet: nothing to compare-and-set.
            case ROOT_QDISC, RX_RING, COMBINED_CHANNELS -> List.of();
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
