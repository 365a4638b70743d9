package io.tunnelvision.rules.detect;

import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.Nic;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.Severity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Interrupt coalescing that works against latency: adaptive-rx off (the driver no longer lowers the delay when
 * traffic is light) and rx-usecs above {@code nicRxUsecsMax}: every packet that arrives on a quiet queue waits up to
 * rx-usecs before the NIC interrupts, and a tunnel's round trip crosses two NICs each way. A NIC with adaptive-rx on
 * is left alone (the driver keeps its own delay low for sparse traffic), as is one that reports no coalescing (veth)
 * or no adaptive flag.
 *
 * <p>Metric: rx-usecs. Remedy ({@code recommendedRxUsecs}): rx-usecs {@code nicRxUsecsMax}, or adaptive-rx on
 * ({@code ethtool -C <if> adaptive-rx on}); the existing COALESCE_RX_USECS action sets rx-usecs.
 */
public final class NicCoalescingDetector {

    private final DetectionThresholds thresholds;

    public NicCoalescingDetector(DetectionThresholds thresholds) {
        this.thresholds = thresholds;
    }

    public List<Finding> evaluate(NicSample sample) {
        List<Finding> findings = new ArrayList<>();
        if (sample == null) {
            return findings;
        }
        for (Nic nic : sample.getNics()) {
            if (nic.getRxUsecs() == null || nic.getAdaptiveRx() == null) {
                continue;
            }
            int usecs = nic.getRxUsecs();
            Map<String, Double> evidence = new HashMap<>();
            evidence.put("rxUsecs", (double) usecs);
            evidence.put("adaptiveRx", nic.getAdaptiveRx() ? 1.0 : 0.0);
            evidence.put("rxUsecsMax", (double) thresholds.nicRxUsecsMax());
            if (nic.getRxFrames() != null) {
                evidence.put("rxFrames", (double) nic.getRxFrames());
            }
            if (nic.getAdaptiveRx() || usecs <= thresholds.nicRxUsecsMax()) {
                findings.add(Finding.good(HotspotType.NIC_COALESCING, nic.getInterface$(), usecs, evidence));
                continue;
            }
            evidence.put("recommendedRxUsecs", (double) thresholds.nicRxUsecsMax());
            Severity severity = usecs >= 10 * thresholds.nicRxUsecsMax() ? Severity.CRITICAL : Severity.WARNING;
            findings.add(new Finding(HotspotType.NIC_COALESCING, nic.getInterface$(), true, severity, usecs,
                    evidence, String.format(Locale.ROOT, "%s holds received packets up to %d µs before it interrupts "
                                    + "(rx-usecs %d, adaptive-rx off): at most %.0f interrupts/s a queue, and that much "
                                    + "latency on every sparse packet; rx-usecs %d or adaptive-rx on", nic.getInterface$(),
                            usecs, usecs, 1e6 / usecs, thresholds.nicRxUsecsMax())));
        }
        return findings;
    }
}
