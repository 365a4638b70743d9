package io.tunnelvision.rules.detect;

import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterruptRates;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A multi-core host whose tunnel interfaces have RPS off while NET_RX work sits on one CPU: a tunnel device has
 * one queue, so without RPS all decryption and delivery runs where its packets arrive.
 */
public final class RpsOffDetector {

    private final DetectionThresholds thresholds;

    public RpsOffDetector(DetectionThresholds thresholds) {
        this.thresholds = thresholds;
    }

    public List<Finding> evaluate(InterruptRates rates, InterfaceConfigSample config) {
        if (rates.getCpus().size() < 2 || config == null) {
            return List.of();
        }
        CpuLoad load = CpuLoad.of(rates.getNetRxPerSecond());
        boolean concentrated = load.total() >= thresholds.netRxMinPerSec()
                && load.topShare() >= thresholds.netRxTopShare();
        List<Finding> findings = new ArrayList<>();
        for (InterfaceConfig tunnel : Tunnels.tunnels(config)) {
            boolean off = Tunnels.rpsOff(tunnel);
            Map<String, Double> evidence = Map.of("netRxPerSec", load.total(), "topCpuShare", load.topShare(),
                    "topCpu", (double) load.topCpu(rates), "onlineCpus", (double) rates.getCpus().size(),
                    "rpsOff", off ? 1.0 : 0.0);
            if (off && concentrated) {
                findings.add(Finding.bad(HotspotType.RPS_OFF, tunnel.getName(), load.topShare(), 1.0, evidence,
                        String.format("RPS is off on %s and CPU %d does %.0f%% of NET_RX on a %d-CPU host",
                                tunnel.getName(), load.topCpu(rates), 100 * load.topShare(), rates.getCpus().size())));
            } else {
                findings.add(Finding.good(HotspotType.RPS_OFF, tunnel.getName(), load.topShare(), evidence));
            }
        }
        return findings;
    }
}
