package io.tunnelvision.rules.detect;

import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.KernelRates;
import io.tunnelvision.schemas.avro.Severity;
import java.util.List;
import java.util.Map;

/**
 * IP fragmentation and reassembly rising host-wide: the symptom of an MTU that leaves no room for encapsulation,
 * whichever tunnel causes it ({@link MtuMismatchDetector} names the tunnel when its underlay is known). Counted
 * as that detector counts fragments (FragCreates + ReasmReqds) against the same {@code fragmentsPerSec}; failed
 * fragmentations or reassemblies at that rate are lost packets, not only delayed ones, hence critical.
 */
public final class FragmentationDetector {

    static final String TARGET = "ip";
    private final DetectionThresholds thresholds;

    public FragmentationDetector(DetectionThresholds thresholds) {
        this.thresholds = thresholds;
    }

    public List<Finding> evaluate(KernelRates rates) {
        if (rates.getIpFragCreatesPerSec() == null && rates.getIpReasmReqdsPerSec() == null) {
            return List.of();
        }
        double fragments = value(rates.getIpFragCreatesPerSec()) + value(rates.getIpReasmReqdsPerSec());
        double fails = value(rates.getIpFragFailsPerSec()) + value(rates.getIpReasmFailsPerSec());
        Map<String, Double> evidence = Map.of("fragmentsPerSec", fragments, "fragFailsPerSec",
                value(rates.getIpFragFailsPerSec()), "reasmFailsPerSec", value(rates.getIpReasmFailsPerSec()));
        boolean failing = fails >= thresholds.fragmentsPerSec();
        if (fragments < thresholds.fragmentsPerSec() && !failing) {
            return List.of(Finding.good(HotspotType.FRAGMENTATION, TARGET, fragments + fails, evidence));
        }
        return List.of(new Finding(HotspotType.FRAGMENTATION, TARGET, true,
                failing ? Severity.CRITICAL : Severity.WARNING, fragments + fails, evidence, String.format(
                        "%.1f IP fragments or reassemblies/s, %.1f failed/s", fragments, fails)));
    }

    private static double value(Double rate) {
        return rate == null ? 0 : rate;
    }
}
