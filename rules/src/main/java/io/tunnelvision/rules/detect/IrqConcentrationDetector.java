package io.tunnelvision.rules.detect;

import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.IrqLineRate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One CPU takes most of a device's hard interrupts while the others idle. Lines are grouped by device (the
 * name before the first '-' or '@': eth0-TxRx-0 and eth0-TxRx-1 are eth0), so a multi-queue NIC whose queues
 * all land on CPU 0 is caught even though each queue alone looks small.
 */
public final class IrqConcentrationDetector {

    private final DetectionThresholds thresholds;

    public IrqConcentrationDetector(DetectionThresholds thresholds) {
        this.thresholds = thresholds;
    }

    public List<Finding> evaluate(InterruptRates rates) {
        int cpus = rates.getCpus().size();
        if (cpus < 2) {
            return List.of();
        }
        Map<String, double[]> byDevice = new LinkedHashMap<>();
        Map<String, IrqLineRate> hottestLine = new HashMap<>();
        for (IrqLineRate line : rates.getLines()) {
            for (String device : line.getDevices()) {
                double[] sums = byDevice.computeIfAbsent(deviceGroup(device), d -> new double[cpus]);
                for (int i = 0; i < cpus && i < line.getPerSecond().size(); i++) {
                    sums[i] += line.getPerSecond().get(i);
                }
                hottestLine.merge(deviceGroup(device), line, (a, b) -> total(a) >= total(b) ? a : b);
            }
        }
        int coolCpu = coolestCpu(rates);
        List<Finding> findings = new ArrayList<>();
        byDevice.forEach((device, sums) -> findings.add(judge(rates, device, sums, hottestLine.get(device), coolCpu)));
        return findings;
    }

    private Finding judge(InterruptRates rates, String device, double[] sums, IrqLineRate hottest, int coolCpu) {
        List<Double> perCpu = new ArrayList<>();
        for (double sum : sums) {
            perCpu.add(sum);
        }
        CpuLoad load = CpuLoad.of(perCpu);
        int topCpu = load.topCpu(rates);
        Map<String, Double> evidence = new HashMap<>();
        evidence.put("irqPerSec", load.total());
        evidence.put("topCpuShare", load.topShare());
        evidence.put("topCpu", (double) topCpu);
        evidence.put("coolCpu", (double) coolCpu);
        if (hottest != null && hottest.getIrq().matches("\\d+")) {
            evidence.put("hotIrq", Double.parseDouble(hottest.getIrq()));
        }
        boolean bad = load.total() >= thresholds.irqMinPerSec() && load.topShare() >= thresholds.irqTopShare();
        if (!bad) {
            return Finding.good(HotspotType.IRQ_CONCENTRATION, device, load.topShare(), evidence);
        }
        return Finding.bad(HotspotType.IRQ_CONCENTRATION, device, load.topShare(), 1.0, evidence,
                String.format("CPU %d takes %.0f%% of %s's %.0f interrupts/s", topCpu, 100 * load.topShare(), device,
                        load.total()));
    }

    static String deviceGroup(String device) {
        int end = device.length();
        for (char separator : new char[] {'-', '@'}) {
            int at = device.indexOf(separator);
            if (at > 0 && at < end) {
                end = at;
            }
        }
        return device.substring(0, end);
    }

    private static double total(IrqLineRate line) {
        return line.getPerSecond().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** The CPU with the fewest interrupts of any kind: where a moved IRQ should go. */
    private static int coolestCpu(InterruptRates rates) {
        int cpus = rates.getCpus().size();
        double[] load = new double[cpus];
        for (IrqLineRate line : rates.getLines()) {
            for (int i = 0; i < cpus && i < line.getPerSecond().size(); i++) {
                load[i] += line.getPerSecond().get(i);
            }
        }
        for (int i = 0; i < cpus && i < rates.getOtherPerSecond().size(); i++) {
            load[i] += rates.getOtherPerSecond().get(i);
        }
        int best = 0;
        for (int i = 1; i < cpus; i++) {
            if (load[i] < load[best]) {
                best = i;
            }
        }
        return rates.getCpus().get(best);
    }
}
