package io.tunnelvision.rules.detect;

import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.IrqLineRate;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.Severity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The interrupt rate of each NIC queue (its vectors' interrupts over all CPUs, grouped by {@link IrqDevices}) set
 * against the softirq share (si%) of the CPU that takes most of them:
 *
 * <ul>
 *   <li>above {@code nicIrqMaxPerQueue} (10,000/s) while that CPU is busy with softirqs ({@code busySoftirqShare}):
 *       the interrupts themselves cost the CPU the packets need; more coalescing (rx-usecs up, or adaptive-rx) frees
 *       it. Above the band on an idle CPU costs nothing and is not flagged.</li>
 *   <li>below {@code nicIrqMinPerQueue} (1,000/s) is reported in the evidence ({@code belowBand}) but never bad: under
 *       load NAPI keeps a queue's interrupt off while it polls (the busier the CPU, the fewer interrupts), and an idle
 *       queue interrupts rarely; whether coalescing holds packets back is {@link NicCoalescingDetector}'s question,
 *       judged on the setting itself.</li>
 * </ul>
 * Only the queues of the NICs the NIC sample lists (by the interface the agent found for each IRQ, or the one in
 * its name): other devices' interrupts are the IRQ detectors' matter. A queue that took no interrupt this interval
 * gets no finding. Metric: the queue's interrupts per second. Target
 * {@code <device> queue <n>}.
 */
public final class NicIrqRateDetector {

    private final DetectionThresholds thresholds;

    public NicIrqRateDetector(DetectionThresholds thresholds) {
        this.thresholds = thresholds;
    }

    /**
     * @param sample the interrupt sample the rates end with (its placements group the lines), or null
     * @param nics   the latest NIC sample: whose queues are judged; null judges none
     */
    public List<Finding> evaluate(InterruptRates rates, InterruptSample sample, NicSample nics) {
        List<Finding> findings = new ArrayList<>();
        if (rates == null || nics == null || nics.getNics().isEmpty()) {
            return findings;
        }
        Set<String> nicNames = new HashSet<>();
        nics.getNics().forEach(n -> nicNames.add(n.getInterface$()));
        Map<String, IrqDevices.Placement> placements = IrqConcentrationDetector.placements(sample);
        Map<String, IrqLineRate> byIrq = new HashMap<>();
        List<IrqDevices.Line> lines = new ArrayList<>();
        for (IrqLineRate line : rates.getLines()) {
            byIrq.put(line.getIrq(), line);
            lines.add(new IrqDevices.Line(line.getIrq(), line.getDevices(),
                    placements.getOrDefault(line.getIrq(), IrqDevices.Placement.NONE)));
        }
        int cpus = Math.min(rates.getCpus().size(), rates.getSoftirqShare().size());
        for (IrqDevices.Device device : IrqDevices.group(lines).values()) {
            String name = device.netdev() != null ? device.netdev() : device.device();
            if (!nicNames.contains(name)) {
                continue;
            }
            for (Map.Entry<String, List<String>> queue : device.queues().entrySet()) {
                double[] perCpu = new double[cpus];
                for (String irq : queue.getValue()) {
                    IrqLineRate line = byIrq.get(irq);
                    for (int i = 0; i < cpus && i < line.getPerSecond().size(); i++) {
                        perCpu[i] += line.getPerSecond().get(i);
                    }
                }
                double total = 0;
                int top = -1;
                for (int i = 0; i < cpus; i++) {
                    total += perCpu[i];
                    if (top < 0 || perCpu[i] > perCpu[top]) {
                        top = i;
                    }
                }
                if (total <= 0 || top < 0) {
                    continue;
                }
                findings.add(judge(name + " queue " + queue.getKey(), total, rates.getCpus().get(top),
                        rates.getSoftirqShare().get(top)));
            }
        }
        return findings;
    }

    private Finding judge(String target, double perSec, int cpu, double softirqShare) {
        Map<String, Double> evidence = new HashMap<>();
        evidence.put("irqPerSec", perSec);
        evidence.put("cpu", (double) cpu);
        evidence.put("softirqShare", softirqShare);
        evidence.put("bandLow", thresholds.nicIrqMinPerQueue());
        evidence.put("bandHigh", thresholds.nicIrqMaxPerQueue());
        if (perSec < thresholds.nicIrqMinPerQueue()) {
            evidence.put("belowBand", 1.0);
        }
        if (perSec <= thresholds.nicIrqMaxPerQueue() || softirqShare < thresholds.busySoftirqShare()) {
            return Finding.good(HotspotType.NIC_IRQ_RATE, target, perSec, evidence);
        }
        Severity severity = softirqShare >= thresholds.cpuSaturatedShare() ? Severity.CRITICAL : Severity.WARNING;
        return new Finding(HotspotType.NIC_IRQ_RATE, target, true, severity, perSec, evidence,
                String.format(Locale.ROOT, "%s interrupts %.0f times/s, above the %.0f/s a queue needs, on CPU %d "
                                + "which spends %.0f%% of its time in softirqs: coalesce more (rx-usecs up or "
                                + "adaptive-rx on)", target, perSec, thresholds.nicIrqMaxPerQueue(), cpu,
                        100 * softirqShare));
    }
}
