package io.tunnelvision.rules.detect;

import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.RxQueue;
import io.tunnelvision.schemas.avro.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * RPS on but RFS off on an interface that is up: packets are spread by hash to any CPU rather than to the one
 * where the socket's reader runs, so each packet's data crosses caches once more. A configuration finding (worth
 * knowing, INFO): it costs some latency on every packet but loses none.
 */
public final class RfsOffDetector {

    public List<Finding> evaluate(InterfaceConfigSample config, KernelSettingsSample kernel) {
        if (config == null || kernel == null) {
            return List.of();
        }
        Long entries = kernel.getRpsSockFlowEntries();
        List<Finding> findings = new ArrayList<>();
        for (InterfaceConfig iface : config.getInterfaces()) {
            if (!up(iface) || Tunnels.rpsOff(iface) || iface.getRxQueues().isEmpty()) {
                continue;
            }
            int queuesWithoutFlows = 0;
            for (RxQueue q : iface.getRxQueues()) {
                if (q.getRpsFlowCnt() != null && q.getRpsFlowCnt() == 0) {
                    queuesWithoutFlows++;
                }
            }
            boolean off = (entries != null && entries == 0) || queuesWithoutFlows > 0;
            Map<String, Double> evidence = Map.of("rpsSockFlowEntries", entries == null ? -1.0 : entries,
                    "queuesWithoutFlowCount", (double) queuesWithoutFlows);
            findings.add(off
                    ? new Finding(HotspotType.RFS_OFF, iface.getName(), true, Severity.INFO, 1, evidence,
                            iface.getName() + " has RPS on but RFS off")
                    : Finding.good(HotspotType.RFS_OFF, iface.getName(), 0, evidence));
        }
        return findings;
    }

    private static boolean up(InterfaceConfig iface) {
        return !"down".equalsIgnoreCase(iface.getOperState()) && !"notpresent".equalsIgnoreCase(iface.getOperState());
    }
}
