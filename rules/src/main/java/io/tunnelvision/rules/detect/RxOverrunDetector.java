package io.tunnelvision.rules.detect;

import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.LinkRate;
import io.tunnelvision.schemas.avro.LinkRates;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Receive overruns and FIFO errors: the softirq does not drain the device's ring fast enough. */
public final class RxOverrunDetector {

    private final DetectionThresholds thresholds;

    public RxOverrunDetector(DetectionThresholds thresholds) {
        this.thresholds = thresholds;
    }

    public List<Finding> evaluate(LinkRates rates) {
        List<Finding> findings = new ArrayList<>();
        for (LinkRate link : rates.getInterfaces()) {
            double overruns = link.getRxOverErrorsPerSec() + link.getRxFifoErrorsPerSec();
            Map<String, Double> evidence = Map.of("rxOverrunsPerSec", overruns, "rxPacketsPerSec",
                    link.getRxPacketsPerSec());
            if (overruns >= thresholds.rxOverrunsPerSec()) {
                findings.add(Finding.bad(HotspotType.RX_OVERRUNS, link.getName(), overruns,
                        thresholds.rxOverrunsPerSec(), evidence, String.format(
                                "%s overruns its receive ring %.1f times/s", link.getName(), overruns)));
            } else if (overruns > 0 || link.getRxPacketsPerSec() > 0) {
                findings.add(Finding.good(HotspotType.RX_OVERRUNS, link.getName(), overruns, evidence));
            }
        }
        return findings;
    }
}
