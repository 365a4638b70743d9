package io.tunnelvision.agent.doctor;

import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.RxQueue;
import io.tunnelvision.schemas.avro.Severity;
import java.util.ArrayList;
import java.util.List;

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
    public List<Finding> examine(HostInterval interval) {
        List<Finding> findings = new ArrayList<>();
        for (InterfaceConfig iface : interval.activeInterfaces()) {
            if (RpsCommands.rpsOff(iface) || !anyRps(iface) || !RpsCommands.rfsOff(iface, interval.kernel())) {
                continue;
            }
            List<String> fix = RpsCommands.rfs(iface, interval.kernel());
            if (fix.isEmpty()) {
                continue;
            }
            findings.add(new Finding(name(), Severity.INFO, iface.getName(),
                    iface.getName() + " has RPS on but rps_sock_flow_entries is "
                            + SoftnetSqueezeCheck.value(interval.kernel().getRpsSockFlowEntries())
                            + " and rps_flow_cnt " + flowCounts(iface),
                    "RFS sends each flow to the CPU where its reading thread last ran, so the packet is processed "
                            + "where it is consumed; without it RPS picks a CPU by hash alone. The kernel's "
                            + "scaling.rst suggests 32768 socket flow entries, split over the receive queues.",
                    String.join("\n", fix)));
        }
        return findings;
    }

    private static boolean anyRps(InterfaceConfig iface) {
        for (RxQueue q : iface.getRxQueues()) {
            if (CpuSets.rpsOn(q.getRpsCpus())) {
                return true;
            }
        }
        return false;
    }

    private static String flowCounts(InterfaceConfig iface) {
        List<String> counts = new ArrayList<>();
        for (RxQueue q : iface.getRxQueues()) {
            counts.add(q.getQueue() + "=" + (q.getRpsFlowCnt() == null ? "n/a" : q.getRpsFlowCnt()));
        }
        return String.join(", ", counts);
    }
}
