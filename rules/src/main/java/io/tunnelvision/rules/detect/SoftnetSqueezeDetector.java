package io.tunnelvision.rules.detect;

import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.SoftnetCpuRate;
import io.tunnelvision.schemas.avro.SoftnetRates;
import java.util.List;
import java.util.Map;

/**
 * net_rx_action keeps running out of budget (time_squeeze rising). Judged on the host's squeeze rate per
 * second, not on "any squeeze": an idle host squeezes now and then (a timer tick during a burst), which is the
 * classic false alarm; only a sustained rate over the threshold for {@code openAfter} intervals opens a hotspot.
 */
public final class SoftnetSqueezeDetector {

    static final String TARGET = "host";
    private final DetectionThresholds thresholds;

    public SoftnetSqueezeDetector(DetectionThresholds thresholds) {
        this.thresholds = thresholds;
    }

    public List<Finding> evaluate(SoftnetRates rates) {
        double squeeze = 0;
        double processed = 0;
        for (SoftnetCpuRate cpu : rates.getCpus()) {
            squeeze += cpu.getTimeSqueezePerSec();
            processed += cpu.getProcessedPerSec();
        }
        Map<String, Double> evidence = Map.of("timeSqueezePerSec", squeeze, "processedPerSec", processed);
        if (squeeze < thresholds.squeezePerSec()) {
            return List.of(Finding.good(HotspotType.SOFTNET_SQUEEZE, TARGET, squeeze, evidence));
        }
        return List.of(Finding.bad(HotspotType.SOFTNET_SQUEEZE, TARGET, squeeze, thresholds.squeezePerSec(), evidence,
                String.format("softirq ran out of budget %.1f times/s while processing %.0f packets/s", squeeze,
                        processed)));
    }
}
