package io.tunnelvision.agent.doctor;

import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.IrqLine;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.LinkCounters;
import io.tunnelvision.schemas.avro.SoftnetCpu;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Two readings of one host and what changed between them: the view every {@link Check} works on. Settings
 * come from the second (latest) reading, rates from the difference.
 */
final class HostInterval {

    /** Interfaces that carry tunnelled traffic, the subject of the manual. */
    static final Set<InterfaceKind> TUNNELS =
            EnumSet.of(InterfaceKind.TUN, InterfaceKind.TAP, InterfaceKind.WIREGUARD, InterfaceKind.VXLAN,
                    InterfaceKind.GRE);

    private final HostReading first;
    private final HostReading second;
    private final double seconds;

    HostInterval(HostReading first, HostReading second) {
        Duration between = Duration.between(first.takenAt(), second.takenAt());
        if (between.isNegative() || between.isZero()) {
            throw new IllegalArgumentException("The second reading (" + second.takenAt() + ") must be later than the "
                    + "first (" + first.takenAt() + "): rates need a positive interval");
        }
        this.first = first;
        this.second = second;
        this.seconds = between.toNanos() / 1e9;
    }

    double seconds() {
        return seconds;
    }

    double perSecond(long delta) {
        return delta / seconds;
    }

    HostFacts facts() {
        return second.facts();
    }

    KernelSettingsSample kernel() {
        return second.kernel();
    }

    /** Change of a kernel counter of /proc/net/snmp, or null when this kernel lacks it. */
    Long kernelDelta(Function<KernelSettingsSample, Long> counter) {
        return Counters.delta64(counter.apply(first.kernel()), counter.apply(second.kernel()));
    }

    /** Interfaces of the second reading, in the collector's order. */
    List<InterfaceConfig> interfaces() {
        return second.interfaces().getInterfaces();
    }

    Optional<InterfaceConfig> iface(String name) {
        return interfaces().stream().filter(i -> i.getName().equals(name)).findFirst();
    }

    /** Interfaces that are not administratively or physically down: a down tunnel carries nothing to tune. */
    List<InterfaceConfig> activeInterfaces() {
        List<InterfaceConfig> active = new ArrayList<>();
        for (InterfaceConfig i : interfaces()) {
            if (!i.getOperState().equals("down") && !i.getOperState().equals("notpresent")) {
                active.add(i);
            }
        }
        return active;
    }

    /** Change of one link counter of an interface present in both readings, or 0. */
    long linkDelta(String name, ToLongFunction<LinkCounters> counter) {
        LinkCounters before = link(first, name);
        LinkCounters after = link(second, name);
        if (before == null || after == null) {
            return 0;
        }
        return Counters.delta64(counter.applyAsLong(before), counter.applyAsLong(after));
    }

    private static LinkCounters link(HostReading reading, String name) {
        for (LinkCounters c : reading.links().getInterfaces()) {
            if (c.getName().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** One /proc/interrupts row with its per-CPU change, keyed by CPU id. */
    record IrqDelta(IrqLine line, Map<Integer, Long> perCpu, long total) {
    }

    /** Rows present in both readings, with per-CPU changes aligned by CPU id (a CPU may come or go between). */
    List<IrqDelta> irqDeltas() {
        Map<String, IrqLine> before = new HashMap<>();
        for (IrqLine line : first.interrupts().getLines()) {
            before.put(line.getIrq(), line);
        }
        List<IrqDelta> deltas = new ArrayList<>();
        for (IrqLine line : second.interrupts().getLines()) {
            IrqLine old = before.get(line.getIrq());
            if (old == null) {
                continue;
            }
            Map<Integer, Long> oldCounts = byCpu(first.interrupts(), old.getCounts());
            Map<Integer, Long> perCpu = new LinkedHashMap<>();
            long total = 0;
            for (Map.Entry<Integer, Long> e : byCpu(second.interrupts(), line.getCounts()).entrySet()) {
                Long was = oldCounts.get(e.getKey());
                long d = was == null ? 0 : Counters.delta32(was, e.getValue());
                perCpu.put(e.getKey(), d);
                total += d;
            }
            deltas.add(new IrqDelta(line, perCpu, total));
        }
        return deltas;
    }

    private static Map<Integer, Long> byCpu(InterruptSample sample, List<Long> counts) {
        Map<Integer, Long> map = new LinkedHashMap<>();
        List<Integer> cpus = sample.getOnlineCpus();
        for (int k = 0; k < Math.min(cpus.size(), counts.size()); k++) {
            map.put(cpus.get(k), counts.get(k));
        }
        return map;
    }

    /** si% of one CPU over the interval, from /proc/stat ticks. */
    record CpuLoad(int cpu, long softirqTicks, long totalTicks) {
        double softirqPercent() {
            return totalTicks == 0 ? 0 : 100.0 * softirqTicks / totalTicks;
        }
    }

    /** Per online CPU softirq and total ticks spent over the interval; empty without a usable /proc/stat. */
    List<CpuLoad> cpuLoads() {
        Map<Integer, long[]> before = ticks(first.interrupts());
        List<CpuLoad> loads = new ArrayList<>();
        for (Map.Entry<Integer, long[]> e : ticks(second.interrupts()).entrySet()) {
            long[] was = before.get(e.getKey());
            if (was != null) {
                loads.add(new CpuLoad(e.getKey(), Counters.delta64(was[0], e.getValue()[0]),
                        Counters.delta64(was[1], e.getValue()[1])));
            }
        }
        return loads;
    }

    private static Map<Integer, long[]> ticks(InterruptSample s) {
        Map<Integer, long[]> map = new LinkedHashMap<>();
        List<Integer> cpus = s.getOnlineCpus();
        if (s.getSoftirqTicks().size() != cpus.size() || s.getTotalTicks().size() != cpus.size()) {
            return map;
        }
        for (int k = 0; k < cpus.size(); k++) {
            map.put(cpus.get(k), new long[] {s.getSoftirqTicks().get(k), s.getTotalTicks().get(k)});
        }
        return map;
    }

    /** One softnet_stat line's change; {@code label} is {@code cpuN} when the CPU is known. */
    record SoftnetDelta(String label, long processed, long dropped, long timeSqueeze) {
    }

    /** Lines present in both readings, matched by CPU id when the kernel prints it, else by line number. */
    List<SoftnetDelta> softnetDeltas() {
        Map<String, SoftnetCpu> before = new HashMap<>();
        for (SoftnetCpu c : first.softnet().getCpus()) {
            before.put(softnetLabel(first, c), c);
        }
        List<SoftnetDelta> deltas = new ArrayList<>();
        for (SoftnetCpu c : second.softnet().getCpus()) {
            String label = softnetLabel(second, c);
            SoftnetCpu was = before.get(label);
            if (was != null) {
                deltas.add(new SoftnetDelta(label, Counters.delta32(was.getProcessed(), c.getProcessed()),
                        Counters.delta32(was.getDropped(), c.getDropped()),
                        Counters.delta32(was.getTimeSqueeze(), c.getTimeSqueeze())));
            }
        }
        return deltas;
    }

    /**
     * {@code cpuN} for a line: the CPU column of 5.10+ kernels, or, on older kernels (which print one line per
     * online CPU in order), the n-th online CPU when the line count matches; {@code line N} otherwise.
     */
    private static String softnetLabel(HostReading reading, SoftnetCpu c) {
        if (c.getCpu() != null) {
            return "cpu" + c.getCpu();
        }
        List<Integer> online = reading.facts().onlineCpus().stream().boxed().toList();
        if (reading.softnet().getCpus().size() == online.size() && c.getRow() < online.size()) {
            return "cpu" + online.get(c.getRow());
        }
        return "line " + c.getRow();
    }
}
