package io.tunnelvision.rules.detect;

import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.SoftnetCpuRate;
import io.tunnelvision.schemas.avro.SoftnetRates;
import java.util.List;
import java.util.Map;

/** Packets dropped because a CPU's input backlog (netdev_max_backlog) was full. */
public final class BacklogDropDetector {

    static final String TARGET = "host";
    private final DetectionThresholds thresholds;

    public BacklogDropDetector(DetectionThresholds thresholds) {
        this.thresholds = thresholds;
    }

    public List<Finding> evaluate(SoftnetRates rates) {
        double dropped = rates.getCpus().stream().mapToDouble(SoftnetCpuRate::getDroppedPerSec).sum();
        Map<String, Double> evidence = Map.of("backlogDropsPerSec", dropped);
        if (dropped < thresholds.backlogDropsPerSec()) {
            return List.of(Finding.good(HotspotType.BACKLOG_DROPS, TARGET, dropped, evidence));
        }
        return List.of(Finding.bad(HotspotType.BACKLOG_DROPS, TARGET, dropped, thresholds.backlogDropsPerSec(),
                evidence, String.format("%.1f packets/s dropped at a full input backlog", dropped)));
    }
}
