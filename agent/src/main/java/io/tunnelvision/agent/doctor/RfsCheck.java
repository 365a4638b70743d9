package io.tunnelvision.agent.doctor;

import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.RxQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * RPS on but RFS off: packets are spread by hash to any CPU rather than to the one where the socket's reader
 * (the VPN daemon, the application) runs, so each packet's data crosses caches once more.
 */
final class RfsCheck implements Check {

    @Override
    public String name() {
        return "rfs";
    }

    @Override
    public Set<HotspotType> types() {
        return Set.of(HotspotType.RFS_OFF);
    }

    @Override
    public String seen(Finding f, HostInterval interval) {
        return f.target() + " has RPS on but rps_sock_flow_entries is "
                + SoftnetSqueezeCheck.value(interval.kernel().getRpsSockFlowEntries()) + " and rps_flow_cnt "
                + interval.iface(f.target()).map(RfsCheck::flowCounts).orElse("n/a");
    }

    @Override
    public String why(Finding f, List<Change> changes, HostInterval interval) {
        return "RFS sends each flow to the CPU where its reading thread last ran, so the packet is processed where it "
                + "is consumed; without it RPS picks a CPU by hash alone. The kernel's scaling.rst suggests 32768 "
                + "socket flow entries, split over the receive queues.";
    }

    private static String flowCounts(InterfaceConfig iface) {
        List<String> counts = new ArrayList<>();
        for (RxQueue q : iface.getRxQueues()) {
            counts.add(q.getQueue() + "=" + (q.getRpsFlowCnt() == null ? "n/a" : q.getRpsFlowCnt()));
        }
        return String.join(", ", counts);
    }
}
