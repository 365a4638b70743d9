package io.tunnelvision.rules.detect;

import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.IrqLine;
import io.tunnelvision.schemas.avro.IrqLineRate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One CPU takes most of a NIC's queue interrupts while the others idle. Lines are grouped by device with
 * {@link IrqDevices} (bus address, else driver naming), so the queues of one NIC are judged together however
 * the driver names them, and control vectors are left out.
 *
 * <p>A single-queue device's concentration is no finding: its one IRQ lands on one CPU wherever it is put, so
 * moving it only moves the hotspot. What spreads its work is RPS, which {@link RpsOffDetector} and
 * {@link SoftirqConcentrationDetector} judge and remedy.
 */
public final class IrqConcentrationDetector {

    private final DetectionThresholds thresholds;

    public IrqConcentrationDetector(DetectionThresholds thresholds) {
        this.thresholds = thresholds;
    }

    /** By the lines' names alone. */
    public List<Finding> evaluate(InterruptRates rates) {
        return evaluate(rates, null);
    }

    /**
     * @param sample the interrupt sample the rates end with; its lines' bus ids and netdevs group them when the
     *               agent sent them. Null: by names alone.
     */
    public List<Finding> evaluate(InterruptRates rates, InterruptSample sample) {
        int cpus = rates.getCpus().size();
        if (cpus < 2) {
            return List.of();
        }
        Map<String, IrqDevices.Placement> placements = placements(sample);
        Map<String, IrqLineRate> byIrq = new HashMap<>();
        List<IrqDevices.Line> lines = new ArrayList<>();
        for (IrqLineRate line : rates.getLines()) {
            byIrq.put(line.getIrq(), line);
            lines.add(new IrqDevices.Line(line.getIrq(), line.getDevices(),
                    placements.getOrDefault(line.getIrq(), IrqDevices.Placement.NONE)));
        }
        Map<String, IrqDevices.Device> devices = IrqDevices.group(lines);
        Set<String> deviceIrqs = new HashSet<>();
        devices.values().forEach(d -> deviceIrqs.addAll(d.queueIrqs()));
        List<Finding> findings = new ArrayList<>();
        for (IrqDevices.Device device : devices.values()) {
            if (device.queueCount() > 0) {
                findings.add(judge(rates, device, byIrq));
            }
        }
        return findings;
    }

    private Finding judge(InterruptRates rates, IrqDevices.Device device, Map<String, IrqLineRate> byIrq) {
        int cpus = rates.getCpus().size();
        double[] sums = new double[cpus];
        for (String irq : device.queueIrqs()) {
            IrqLineRate line = byIrq.get(irq);
            for (int i = 0; i < cpus && i < line.getPerSecond().size(); i++) {
                sums[i] += line.getPerSecond().get(i);
            }
        }
        List<Double> perCpu = new ArrayList<>();
        for (double sum : sums) {
            perCpu.add(sum);
        }
        CpuLoad load = CpuLoad.of(perCpu);
        int topCpu = load.topCpu(rates);
        int queues = device.queueCount();
        Map<String, Double> evidence = new HashMap<>();
        evidence.put("irqPerSec", load.total());
        evidence.put("topCpuShare", load.topShare());
        evidence.put("topCpu", (double) topCpu);
        evidence.put("queues", (double) queues);
        boolean concentrated = load.total() >= thresholds.irqMinPerSec() && load.topShare() >= thresholds.irqTopShare();
        if (!concentrated) {
            return Finding.good(HotspotType.IRQ_CONCENTRATION, device.device(), load.topShare(), evidence);
        }
        String name = device.netdev() == null || device.netdev().equals(device.device()) ? device.device()
                : device.netdev() + " (" + device.device() + ")";
        if (queues < 2) {
            // one IRQ lands on one CPU by design: no hotspot, RPS's detectors judge where its work goes
            return Finding.good(HotspotType.IRQ_CONCENTRATION, device.device(), load.topShare(), evidence);
        }
        return Finding.bad(HotspotType.IRQ_CONCENTRATION, device.device(), load.topShare(), 1.0, evidence,
                String.format("CPU %d takes %.0f%% of %s's %.0f interrupts/s over %d queues", topCpu,
                        100 * load.topShare(), name, load.total(), queues));
    }

    /** Each kept line's placement in the sample, by IRQ. */
    static Map<String, IrqDevices.Placement> placements(InterruptSample sample) {
        Map<String, IrqDevices.Placement> out = new HashMap<>();
        if (sample != null) {
            for (IrqLine line : sample.getLines()) {
                out.put(line.getIrq(), IrqDevices.placementOf(line));
            }
        }
        return out;
    }


}
