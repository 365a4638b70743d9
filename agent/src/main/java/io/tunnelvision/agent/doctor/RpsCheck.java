package io.tunnelvision.agent.doctor;

import io.tunnelvision.rules.cpu.CpuList;
import io.tunnelvision.rules.cpu.CpuMask;
import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.RxQueue;
import io.tunnelvision.schemas.avro.TuningAction;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * RPS off on a tunnel of a multi-core host whose NET_RX work sits on one CPU: a tunnel has one software queue,
 * so every packet of it is processed on one CPU. The mask the rules propose names exactly the online CPUs: the
 * manual's fixed {@code f} is refused with EOVERFLOW on a host with fewer than four CPU ids, and names CPUs that
 * may be offline elsewhere.
 */
final class RpsCheck implements Check {

    @Override
    public String name() {
        return "rps";
    }

    @Override
    public Set<HotspotType> types() {
        return Set.of(HotspotType.RPS_OFF);
    }

    @Override
    public String seen(Finding f, HostInterval interval) {
        var e = f.evidence();
        InterfaceConfig iface = interval.iface(f.target()).orElse(null);
        int queues = iface == null ? 0 : iface.getRxQueues().size();
        String kind = iface == null ? "?" : iface.getKind().name().toLowerCase(Locale.ROOT);
        return String.format(Locale.ROOT, "%s (%s, %d rx queue%s) has rps_cpus %s on a host with %d online CPUs "
                        + "(%s); cpu%d ran %s of %s NET_RX softirqs", f.target(), kind, queues, queues == 1 ? "" : "s",
                iface == null ? "n/a" : firstMask(iface), e.get("onlineCpus").intValue(),
                CpuList.format(interval.facts().onlineCpus()), e.get("topCpu").intValue(),
                Text.percent(100 * e.get("topCpuShare")), Text.rate(e.get("netRxPerSec")));
    }

    @Override
    public String why(Finding f, List<Change> changes, HostInterval interval) {
        String mask = changes.stream().filter(c -> c.action() == TuningAction.RPS_CPUS).map(Change::newValue)
                .findFirst().orElse(null);
        String why = "A tunnel has one software receive queue, so without RPS its whole receive path runs on one CPU "
                + "(for a tun the one the VPN daemon writes from, for WireGuard and VXLAN the one that received the "
                + "outer packet, decapsulation included): one core saturates while the others idle. RPS hands "
                + "packets to other CPUs by flow hash"
                + (mask == null ? "." : "; the mask " + mask + " names exactly this host's online CPUs"
                        + (mask.equals("f") ? "." : " (the manual's fixed 'f' would be refused with EOVERFLOW on a "
                                + "host with fewer than 4 CPU ids, and would leave CPUs out or name offline ones "
                                + "elsewhere)."))
                + " RFS (rps_sock_flow_entries, rps_flow_cnt) then steers each flow to the CPU where its reader runs.";
        InterfaceKind kind = interval.iface(f.target()).map(InterfaceConfig::getKind).orElse(InterfaceKind.OTHER);
        String defaultMask = interval.facts().rpsDefaultMask();
        if ((kind == InterfaceKind.TUN || kind == InterfaceKind.TAP) && mask != null && defaultMask != null
                && CpuMask.parse(defaultMask).isEmpty()) {
            why += " A VPN daemon re-creates its tun device on restart and a new device starts with RPS off: to "
                    + "make new devices start with it, also persist rps_default_mask (sysctl -w "
                    + "net.core.rps_default_mask=" + mask + ", kernels 6.2+).";
        }
        return why;
    }

    private static String firstMask(InterfaceConfig iface) {
        for (RxQueue q : iface.getRxQueues()) {
            if (q.getRpsCpus() != null) {
                return q.getRpsCpus();
            }
        }
        return "n/a";
    }
}
