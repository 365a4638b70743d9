package io.tunnelvision.agent.doctor;

import io.tunnelvision.agent.collect.CpuMask;
import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.LinkCounters;
import io.tunnelvision.schemas.avro.RxQueue;
import io.tunnelvision.schemas.avro.Severity;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * RPS off on a multi-core host for an interface that needs it: a tunnel (one software queue) or a NIC with fewer
 * receive queues than online CPUs. Then every packet of it is processed on one CPU. The fix names exactly the
 * online CPUs, in the width the kernel prints for this host: the manual's fixed {@code f} is refused with
 * EOVERFLOW on a host with fewer than four CPU ids, and names CPUs that may be offline elsewhere.
 */
final class RpsCheck implements Check {

    /** Packets per second received by one interface at which processing all of them on one CPU is a hotspot. */
    static final double BUSY_PPS = 10000;

    @Override
    public String name() {
        return "rps";
    }

    /** Whether RPS would spread this interface's receive work: a tunnel, or a NIC with fewer queues than CPUs. */
    static boolean wantsRps(InterfaceConfig iface, HostFacts facts) {
        if (facts.onlineCount() < 2) {
            return false;
        }
        if (HostInterval.TUNNELS.contains(iface.getKind())) {
            return true;
        }
        return iface.getKind() == InterfaceKind.PHYSICAL && !iface.getRxQueues().isEmpty()
                && iface.getRxQueues().size() < facts.onlineCount();
    }

    @Override
    public List<Finding> examine(HostInterval interval) {
        HostFacts facts = interval.facts();
        List<Finding> findings = new ArrayList<>();
        for (InterfaceConfig iface : interval.activeInterfaces()) {
            if (!wantsRps(iface, facts)) {
                continue;
            }
            if (RpsCommands.rpsOff(iface)) {
                findings.add(rpsOff(iface, interval));
            } else {
                Finding narrow = offlineCpus(iface, facts);
                if (narrow != null) {
                    findings.add(narrow);
                }
            }
        }
        return findings;
    }

    private Finding rpsOff(InterfaceConfig iface, HostInterval interval) {
        HostFacts facts = interval.facts();
        boolean tunnel = HostInterval.TUNNELS.contains(iface.getKind());
        double pps = interval.perSecond(interval.linkDelta(iface.getName(), LinkCounters::getRxPackets));
        boolean busy = pps >= BUSY_PPS;
        Severity severity = tunnel ? (busy ? Severity.CRITICAL : Severity.WARNING)
                : (busy ? Severity.WARNING : Severity.INFO);
        String kind = iface.getKind().name().toLowerCase(Locale.ROOT);
        String seen = String.format(Locale.ROOT, "%s (%s, %d rx queue%s) has rps_cpus %s on a host with %d online "
                + "CPUs (%s); it receives %s", iface.getName(), kind, iface.getRxQueues().size(),
                iface.getRxQueues().size() == 1 ? "" : "s", firstMask(iface), facts.onlineCount(),
                CpuSets.list(facts.onlineCpus()), Text.rate(pps).replace("/s", " packets/s"));
        List<String> fix = new ArrayList<>(RpsCommands.rps(iface, facts));
        fix.addAll(RpsCommands.rfs(iface, interval.kernel()));
        String mask = CpuSets.rpsMask(facts);
        String why = (tunnel ? "A tunnel has one software receive queue, so without RPS its whole receive path runs "
                + "on one CPU (for a tun the one the VPN daemon writes from, for WireGuard and VXLAN the one that "
                + "received the outer packet, decapsulation included)"
                : "With fewer receive queues than CPUs, the CPUs that take the queue interrupts do all protocol "
                        + "processing")
                + ": one core saturates while the others idle. RPS hands packets to other CPUs by flow hash; the mask "
                + mask + " names exactly this host's online CPUs in the width the kernel prints"
                + (mask.equals("f") ? "" : " (the manual's fixed 'f' would be refused with EOVERFLOW on a host with "
                        + "fewer than 4 CPU ids, and would leave CPUs out or name offline ones elsewhere)")
                + ". RFS (rps_sock_flow_entries, rps_flow_cnt) then steers each flow to the CPU where its reader runs.";
        if ((iface.getKind() == InterfaceKind.TUN || iface.getKind() == InterfaceKind.TAP)
                && facts.rpsDefaultMask() != null && !CpuSets.rpsOn(facts.rpsDefaultMask())) {
            fix.add("sysctl -w net.core.rps_default_mask=" + CpuSets.rpsMask(facts));
            why += " A VPN daemon re-creates its tun device on restart and a new device starts with RPS off: "
                    + "rps_default_mask makes new devices start with it.";
        }
        return new Finding(name(), severity, iface.getName(), seen, why, String.join("\n", fix));
    }

    /** RPS on, but the mask names CPUs that are not online: the kernel uses only the online ones. */
    private Finding offlineCpus(InterfaceConfig iface, HostFacts facts) {
        for (RxQueue q : iface.getRxQueues()) {
            if (q.getRpsCpus() == null || !CpuSets.rpsOn(q.getRpsCpus())) {
                continue;
            }
            BitSet mask = CpuMask.parse(q.getRpsCpus());
            BitSet outside = (BitSet) mask.clone();
            outside.andNot(facts.onlineCpus());
            if (!outside.isEmpty()) {
                return new Finding(name(), Severity.INFO, iface.getName(),
                        iface.getName() + " " + q.getQueue() + " has rps_cpus " + q.getRpsCpus() + " naming CPUs "
                                + CpuSets.list(outside) + ", which are not online (online: "
                                + CpuSets.list(facts.onlineCpus()) + ")",
                        "The kernel steers only to online CPUs, so the spread is narrower than the mask suggests.",
                        String.join("\n", RpsCommands.rps(iface, facts)));
            }
        }
        return null;
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
