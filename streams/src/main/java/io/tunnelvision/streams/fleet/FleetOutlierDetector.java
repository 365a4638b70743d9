package io.tunnelvision.streams.fleet;

import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.streams.avro.HostMetrics;
import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.detect.Finding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

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
        return evaluate(metrics, active, metric -> true);
    }

    /**
     * Like {@link #evaluate(HostMetrics, Collection)}, but a metric for which {@code wantsGood} is false gets no
     * finding when it cannot be bad: its value is less than the floor above the fleet's smallest value, so it is
     * less than the floor above the median too. Such a good finding only matters to a track that already exists
     * (a streak to end), and skipping it saves sorting the population twice per metric and sample.
     */
    public List<Finding> evaluate(HostMetrics metrics, Collection<HostMetrics> active, Predicate<String> wantsGood) {
        List<Finding> findings = new ArrayList<>();
        for (Map.Entry<String, Double> entry : metrics.getValues().entrySet()) {
            Double floor = floors.get(entry.getKey());
            if (floor == null) {
                continue;
            }
            double[] population = new double[active.size()];
            int n = 0;
            double min = Double.POSITIVE_INFINITY;
            for (HostMetrics m : active) {
                Double v = m.getValues().get(entry.getKey());
                if (v != null) {
                    population[n++] = v;
                    min = Math.min(min, v);
                }
            }
            if (n < thresholds.outlierMinHosts()) {
                continue;
            }
            double x = entry.getValue();
            if (x - min < floor && !wantsGood.test(entry.getKey())) {
                continue;
            }
            population = Arrays.copyOf(population, n);
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
