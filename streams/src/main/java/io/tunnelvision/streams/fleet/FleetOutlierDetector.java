package io.tunnelvision.streams.fleet;

import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.streams.avro.HostMetrics;
import io.tunnelvision.streams.detect.DetectionThresholds;
import io.tunnelvision.streams.detect.Finding;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A gateway whose headline rate stands out from the fleet's: robust z-score {@code 0.6745 (x - median) / MAD}
 * at least {@code outlierZ}, and above the median by at least a fifth of that metric's host threshold, so that
 * one host with 0.2 squeezes/s among hosts with 0 is not an "outlier", while a host well behind its peers is
 * caught before it crosses the host threshold. Needs {@code outlierMinHosts} reporting.
 */
public final class FleetOutlierDetector {

    public static final String SQUEEZE = "timeSqueezePerSec";
    public static final String BACKLOG_DROPS = "backlogDropsPerSec";
    public static final String UDP_RCVBUF_ERRORS = "udpRcvbufErrorsPerSec";

    private static final double FLOOR_SHARE = 0.2;

    private final DetectionThresholds thresholds;
    private final Map<String, Double> floors;

    public FleetOutlierDetector(DetectionThresholds thresholds) {
        this.thresholds = thresholds;
        this.floors = Map.of(SQUEEZE, FLOOR_SHARE * thresholds.squeezePerSec(),
                BACKLOG_DROPS, FLOOR_SHARE * thresholds.backlogDropsPerSec(),
                UDP_RCVBUF_ERRORS, FLOOR_SHARE * thresholds.udpRcvbufErrorsPerSec());
    }

    /** One finding per metric of {@code metrics} that enough active hosts report. */
    public List<Finding> evaluate(HostMetrics metrics, Collection<HostMetrics> active) {
        List<Finding> findings = new ArrayList<>();
        for (Map.Entry<String, Double> entry : metrics.getValues().entrySet()) {
            Double floor = floors.get(entry.getKey());
            if (floor == null) {
                continue;
            }
            double[] population = active.stream().map(m -> m.getValues().get(entry.getKey()))
                    .filter(v -> v != null).mapToDouble(Double::doubleValue).toArray();
            if (population.length < thresholds.outlierMinHosts()) {
                continue;
            }
            double x = entry.getValue();
            double median = RobustStats.median(population);
            double mad = RobustStats.mad(population, median);
            double z = RobustStats.robustZ(x, median, mad);
            Map<String, Double> evidence = Map.of(entry.getKey(), x, "fleetMedian", median, "fleetMad", mad,
                    "robustZ", Double.isInfinite(z) ? Double.MAX_VALUE : z);
            if (z >= thresholds.outlierZ() && x - median >= floor) {
                findings.add(Finding.bad(HotspotType.FLEET_OUTLIER, entry.getKey(), x, floor, evidence,
                        String.format("%s is %.1f against a fleet median of %.1f (robust z %.1f)", entry.getKey(), x,
                                median, Math.min(z, 999))));
            } else {
                findings.add(Finding.good(HotspotType.FLEET_OUTLIER, entry.getKey(), x, evidence));
            }
        }
        return findings;
    }
}
