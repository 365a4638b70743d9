package io.tunnelvision.rules.detect;

import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterruptRates;
import java.util.List;
import java.util.Map;

/** NET_RX softirq work piles onto one CPU, which is busy with it, while the others idle. */
public final class SoftirqConcentrationDetector {

    static final String TARGET = "net_rx";
    private final DetectionThresholds thresholds;

    public SoftirqConcentrationDetector(DetectionThresholds thresholds) {
        this.thresholds = thresholds;
    }

    public List<Finding> evaluate(InterruptRates rates) {
        if (rates.getCpus().size() < 2) {
            return List.of();
        }
        CpuLoad load = CpuLoad.of(rates.getNetRxPerSecond());
        double topBusy = load.topIndex() < 0 || load.topIndex() >= rates.getSoftirqShare().size() ? 0
                : rates.getSoftirqShare().get(load.topIndex());
        int topCpu = load.topCpu(rates);
        Map<String, Double> evidence = Map.of("netRxPerSec", load.total(), "topCpuShare", load.topShare(),
                "topCpu", (double) topCpu, "topCpuSoftirqShare", topBusy);
        boolean bad = load.total() >= thresholds.netRxMinPerSec() && load.topShare() >= thresholds.netRxTopShare()
                && topBusy >= thresholds.busySoftirqShare();
        if (!bad) {
            return List.of(Finding.good(HotspotType.SOFTIRQ_CONCENTRATION, TARGET, load.topShare(), evidence));
        }
        return List.of(Finding.bad(HotspotType.SOFTIRQ_CONCENTRATION, TARGET, load.topShare(), 1.0, evidence,
                String.format("CPU %d does %.0f%% of NET_RX work and spends %.0f%% of its time in softirq", topCpu,
                        100 * load.topShare(), 100 * topBusy)));
    }
}
