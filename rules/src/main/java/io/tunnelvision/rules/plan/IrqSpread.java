package io.tunnelvision.rules.plan;

import io.tunnelvision.rules.cpu.CpuList;
import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.detect.IrqDevices;
import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.IrqLine;
import io.tunnelvision.schemas.avro.IrqLineRate;
import io.tunnelvision.schemas.avro.TuningAction;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Spreads one device's queue IRQs over distinct CPUs, as irqbalance or a driver's {@code set_irq_affinity}
 * script does, in ONE {@link TuningAction#IRQ_AFFINITY} change the agent applies all or none.
 *
 * <p>Moving one IRQ at a time cannot fix a NIC whose queues all sit on one CPU: with five equal queues a move
 * takes 20 % off the hot CPU at best, and every move of a storm went to the same "coolest" CPU, which then
 * became the hot one. So the whole device is placed at once:
 * <ul>
 *   <li>CPUs local to the device's NUMA node first, then the others (the order of the kernel's
 *       {@code cpumask_local_spread}, which mlx5 and others use for their default placement);</li>
 *   <li>never a CPU already hot with other work: other devices' interrupts at or above
 *       {@link Limits#hotIrqPerSec}, or softirq time at or above {@link Limits#hotSoftirqShare} on a CPU this
 *       device's interrupts do not reach (where they do, that softirq time is the device's own);</li>
 *   <li>one queue per CPU; with more queues than usable CPUs, round-robin so no CPU has two more than another;</li>
 *   <li>a queue that already sits alone on a good CPU stays there.</li>
 * </ul>
 * The rx and tx vectors of one queue (virtio's input.N/output.N, e1000e's rx-N/tx-N) go to the same CPU, as
 * virtio_net pairs them itself.
 *
 * <p>Compare-and-set is against each IRQ's configured {@code smp_affinity_list} as the agent read it, never
 * the CPU where its interrupts land: without a configured affinity for every IRQ there is no change.
 */
public final class IrqSpread {

    /** One vector of a queue: its IRQ number and its configured smp_affinity_list (null when not known). */
    public record QueueIrq(int irq, String queue, String affinity) {
    }

    /** When a CPU counts as hot with other work; see the class comment. */
    public record Limits(double hotIrqPerSec, double hotSoftirqShare) {

        /** The detectors' own bars: a device's worth of interrupts, and the softirq share of a busy CPU. */
        public static Limits of(DetectionThresholds thresholds) {
            return new Limits(thresholds.irqMinPerSec(), thresholds.busySoftirqShare());
        }
    }

    /**
     * What else keeps each CPU busy.
     *
     * @param otherIrqPerSec interrupts per second of everything but the device, by CPU id
     * @param softirqShare   share of the CPU's time in softirq, by CPU id
     * @param deviceCpus     CPUs the device's own interrupts reach
     */
    public record CpuWork(Map<Integer, Double> otherIrqPerSec, Map<Integer, Double> softirqShare,
                          Set<Integer> deviceCpus) {

        public CpuWork {
            otherIrqPerSec = Map.copyOf(otherIrqPerSec);
            softirqShare = Map.copyOf(softirqShare);
            deviceCpus = Set.copyOf(deviceCpus);
        }

        public static CpuWork none() {
            return new CpuWork(Map.of(), Map.of(), Set.of());
        }

        /** From an interval's rates; {@code deviceIrqs} are the device's lines (queues and control). */
        public static CpuWork of(InterruptRates rates, Collection<String> deviceIrqs) {
            Set<String> own = new HashSet<>(deviceIrqs);
            List<Integer> cpus = rates.getCpus();
            Map<Integer, Double> other = new HashMap<>();
            Map<Integer, Double> softirq = new HashMap<>();
            Set<Integer> reached = new HashSet<>();
            for (int i = 0; i < cpus.size(); i++) {
                int cpu = cpus.get(i);
                double sum = at(rates.getOtherPerSecond(), i);
                for (IrqLineRate line : rates.getLines()) {
                    double rate = at(line.getPerSecond(), i);
                    if (!own.contains(line.getIrq())) {
                        sum += rate;
                    } else if (rate > 0) {
                        reached.add(cpu);
                    }
                }
                other.put(cpu, sum);
                softirq.put(cpu, at(rates.getSoftirqShare(), i));
            }
            return new CpuWork(other, softirq, reached);
        }

        boolean hot(int cpu, Limits limits) {
            return otherIrqPerSec.getOrDefault(cpu, 0.0) >= limits.hotIrqPerSec()
                    || !deviceCpus.contains(cpu) && softirqShare.getOrDefault(cpu, 0.0) >= limits.hotSoftirqShare();
        }

        private static double at(List<Double> values, int i) {
            return i < values.size() ? values.get(i) : 0;
        }
    }

    private IrqSpread() {
    }

    /**
     * The spread of the device a finding names, from the latest interrupt sample (configured affinities, online
     * and NUMA-local CPUs) and the interval's rates (what else loads each CPU).
     *
     * @param device the finding's target: a device key of {@link IrqDevices#group}
     */
    public static Optional<Change> forDevice(String device, InterruptSample sample, InterruptRates rates,
                                             DetectionThresholds thresholds) {
        if (sample == null) {
            return Optional.empty();
        }
        Map<String, IrqLine> byIrq = new HashMap<>();
        List<IrqDevices.Line> lines = new ArrayList<>();
        for (IrqLine line : sample.getLines()) {
            byIrq.put(line.getIrq(), line);
            lines.add(new IrqDevices.Line(line.getIrq(), line.getDevices(), IrqDevices.placementOf(line)));
        }
        IrqDevices.Device found = IrqDevices.group(lines).get(device);
        if (found == null) {
            return Optional.empty();
        }
        List<QueueIrq> queues = new ArrayList<>();
        Set<Integer> local = Set.of();
        for (Map.Entry<String, List<String>> queue : found.queues().entrySet()) {
            for (String irq : queue.getValue()) {
                if (!irq.matches("\\d+")) {
                    return Optional.empty();
                }
                IrqLine line = byIrq.get(irq);
                queues.add(new QueueIrq(Integer.parseInt(irq), queue.getKey(), line.getAffinity()));
                if (local.isEmpty()) {
                    local = CpuList.tryParse(line.getLocalCpus()).<Set<Integer>>map(Set::copyOf).orElse(Set.of());
                }
            }
        }
        List<String> deviceIrqs = new ArrayList<>(found.queueIrqs());
        deviceIrqs.addAll(found.control());
        CpuWork work = rates == null ? CpuWork.none() : CpuWork.of(rates, deviceIrqs);
        return spread(queues, sample.getOnlineCpus(), local, work, Limits.of(thresholds));
    }

    /**
     * One change placing every queue IRQ of a device, or none: fewer than two queues (moving a single queue's
     * IRQ only moves the hotspot; RPS spreads that work), a configured affinity not known or not a CPU list,
     * fewer than two usable CPUs, or nothing to move.
     *
     * @param queues     the device's queue vectors; vectors with the same {@code queue} go to the same CPU
     * @param onlineCpus the host's online CPUs
     * @param localCpus  the device's NUMA-local CPUs; empty when not known
     * @return target "45,46,47" (ascending), expectedValue the configured lists "0;0;0", newValue "0;2;4"
     */
    public static Optional<Change> spread(List<QueueIrq> queues, Collection<Integer> onlineCpus,
                                          Set<Integer> localCpus, CpuWork work, Limits limits) {
        Map<String, List<QueueIrq>> units = new LinkedHashMap<>();
        queues.stream().sorted(Comparator.comparingInt(QueueIrq::irq))
                .forEach(q -> units.computeIfAbsent(q.queue(), k -> new ArrayList<>()).add(q));
        if (units.size() < 2) {
            return Optional.empty();
        }
        Map<Integer, SortedSet<Integer>> configured = new HashMap<>();
        for (QueueIrq q : queues) {
            Optional<SortedSet<Integer>> cpus = CpuList.tryParse(q.affinity());
            if (cpus.isEmpty()) {
                return Optional.empty();
            }
            configured.put(q.irq(), cpus.get());
        }
        List<Integer> order = order(onlineCpus, localCpus, work, limits);
        if (order.size() < 2) {
            return Optional.empty();
        }
        Set<Integer> good = new HashSet<>(order);
        if (!localCpus.isEmpty()) {
            List<Integer> localUsable = order.stream().filter(localCpus::contains).toList();
            if (localUsable.size() >= units.size()) {
                good = new HashSet<>(localUsable);
            }
        }
        Map<String, Integer> sole = soleCpu(units, configured);
        Map<Integer, Long> unitsOnCpu = sole.values().stream()
                .collect(Collectors.groupingBy(cpu -> cpu, Collectors.counting()));
        Map<String, Integer> placed = new LinkedHashMap<>();
        Map<Integer, Integer> load = new TreeMap<>();
        order.forEach(cpu -> load.put(cpu, 0));
        for (String unit : units.keySet()) {
            Integer cpu = sole.get(unit);
            if (cpu != null && good.contains(cpu) && unitsOnCpu.get(cpu) == 1) {
                placed.put(unit, cpu);
                load.merge(cpu, 1, Integer::sum);
            }
        }
        for (String unit : units.keySet()) {
            if (!placed.containsKey(unit)) {
                int cpu = order.stream().min(Comparator.comparingInt(load::get)).orElseThrow();
                placed.put(unit, cpu);
                load.merge(cpu, 1, Integer::sum);
            }
        }
        List<QueueIrq> all = queues.stream().sorted(Comparator.comparingInt(QueueIrq::irq)).toList();
        boolean moves = all.stream().anyMatch(q -> !configured.get(q.irq()).equals(Set.of(placed.get(q.queue()))));
        if (!moves) {
            return Optional.empty();
        }
        return Optional.of(new Change(TuningAction.IRQ_AFFINITY,
                all.stream().map(q -> Integer.toString(q.irq())).collect(Collectors.joining(",")),
                all.stream().map(q -> q.affinity().trim()).collect(Collectors.joining(";")),
                all.stream().map(q -> Integer.toString(placed.get(q.queue()))).collect(Collectors.joining(";"))));
    }

    /** Usable CPUs, NUMA-local ones first, each group ascending. */
    private static List<Integer> order(Collection<Integer> onlineCpus, Set<Integer> localCpus, CpuWork work,
                                       Limits limits) {
        List<Integer> usable = onlineCpus.stream().distinct().sorted().filter(cpu -> !work.hot(cpu, limits)).toList();
        List<Integer> order = new ArrayList<>(usable.stream().filter(localCpus::contains).toList());
        usable.stream().filter(cpu -> !localCpus.contains(cpu)).forEach(order::add);
        return order;
    }

    /** The one CPU every vector of a queue is configured to, for queues that have one. */
    private static Map<String, Integer> soleCpu(Map<String, List<QueueIrq>> units,
                                                Map<Integer, SortedSet<Integer>> configured) {
        Map<String, Integer> out = new HashMap<>();
        units.forEach((unit, irqs) -> {
            Set<SortedSet<Integer>> lists = irqs.stream().map(q -> configured.get(q.irq())).collect(Collectors.toSet());
            if (lists.size() == 1) {
                SortedSet<Integer> cpus = lists.iterator().next();
                if (cpus.size() == 1) {
                    out.put(unit, cpus.first());
                }
            }
        });
        return out;
    }
}
