package io.tunnelvision.rules.detect;

import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A CPU spending a large share of its time in softirqs (the "si" of top), whatever the kind: everything else
 * queued on that core waits, and once the core is saturated the kernel defers the rest to ksoftirqd. Judged per
 * CPU with the fleet's own notions of busy ({@code busySoftirqShare}, a warning) and saturated
 * ({@code cpuSaturatedShare}, critical). {@link SoftirqConcentrationDetector} asks a narrower question (NET_RX
 * piled on one CPU); this one also sees a core busy with decryption while the NET_RX counts look spread.
 */
public final class SoftirqLoadDetector {

    /** Another CPU below this softirq share is cool: RPS or an IRQ can move work there. */
    static final double COOL_SHARE = 0.1;

    private final DetectionThresholds thresholds;

    public SoftirqLoadDetector(DetectionThresholds thresholds) {
        this.thresholds = thresholds;
    }

    public List<Finding> evaluate(InterruptRates rates) {
        List<Double> shares = rates.getSoftirqShare();
        int cpus = Math.min(shares.size(), rates.getCpus().size());
        int cool = 0;
        for (int i = 0; i < cpus; i++) {
            if (shares.get(i) < COOL_SHARE) {
                cool++;
            }
        }
        List<Finding> findings = new ArrayList<>();
        for (int i = 0; i < cpus; i++) {
            double share = shares.get(i);
            int cpu = rates.getCpus().get(i);
            String target = "cpu" + cpu;
            int coolOthers = cool - (share < COOL_SHARE ? 1 : 0);
            Map<String, Double> evidence = Map.of("softirqShare", share, "cpu", (double) cpu,
                    "coolCpus", (double) coolOthers, "coolShare", COOL_SHARE);
            if (share < thresholds.busySoftirqShare()) {
                findings.add(Finding.good(HotspotType.SOFTIRQ_LOAD, target, share, evidence));
            } else {
                Severity severity = share >= thresholds.cpuSaturatedShare() ? Severity.CRITICAL : Severity.WARNING;
                findings.add(new Finding(HotspotType.SOFTIRQ_LOAD, target, true, severity, share, evidence,
                        String.format("CPU %d spends %.0f%% of its time in softirqs", cpu, 100 * share)));
            }
        }
        return findings;
    }
}
