package io.tunnelvision.rules.detect;

import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.LinkRate;
import io.tunnelvision.schemas.avro.LinkRates;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A tunnel interface drops on transmit while no CPU is saturated with softirq work: the queue (txqueuelen) is
 * too short for the bursts. With a saturated CPU the drops are a CPU problem and a longer queue would only add
 * latency, so the interval is not held against the queue.
 */
public final class TxDropDetector {

    private final DetectionThresholds thresholds;

    public TxDropDetector(DetectionThresholds thresholds) {
        this.thresholds = thresholds;
    }

    public List<Finding> evaluate(LinkRates rates, InterfaceConfigSample config, InterruptRates cpuRates) {
        double busiest = CpuLoad.maxSoftirqShare(cpuRates);
        boolean saturated = busiest >= thresholds.cpuSaturatedShare();
        List<Finding> findings = new ArrayList<>();
        for (LinkRate link : rates.getInterfaces()) {
            Optional<InterfaceConfig> iface = Tunnels.find(config, link.getName());
            if (iface.isEmpty() || !Tunnels.isTunnel(iface.get())) {
                continue;
            }
            double drops = link.getTxDroppedPerSec();
            Map<String, Double> evidence = Map.of("txDroppedPerSec", drops, "txPacketsPerSec",
                    link.getTxPacketsPerSec(), "txQueueLen", (double) iface.get().getTxQueueLen(),
                    "maxCpuSoftirqShare", busiest);
            if (drops >= thresholds.txDropsPerSec() && !saturated) {
                findings.add(Finding.bad(HotspotType.TX_DROPS, link.getName(), drops, thresholds.txDropsPerSec(),
                        evidence, String.format("%s drops %.1f packets/s on transmit with txqueuelen %d while no CPU"
                                + " is saturated", link.getName(), drops, iface.get().getTxQueueLen())));
            } else {
                findings.add(Finding.good(HotspotType.TX_DROPS, link.getName(), drops, evidence));
            }
        }
        return findings;
    }
}
