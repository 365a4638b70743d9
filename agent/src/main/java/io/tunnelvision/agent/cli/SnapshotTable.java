package io.tunnelvision.agent.cli;

import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.IrqLine;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.LinkCounters;
import io.tunnelvision.schemas.avro.LinkSample;
import io.tunnelvision.schemas.avro.RxQueue;
import io.tunnelvision.schemas.avro.SoftnetCpu;
import io.tunnelvision.schemas.avro.SoftnetSample;
import io.tunnelvision.schemas.avro.WireguardInterface;
import io.tunnelvision.schemas.avro.WireguardPeer;
import io.tunnelvision.schemas.avro.WireguardSample;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;

/** One snapshot for a person: a block per source, columns aligned. */
final class SnapshotTable {

    private SnapshotTable() {
    }

    static String render(List<SpecificRecord> samples) {
        StringBuilder out = new StringBuilder();
        for (SpecificRecord sample : samples) {
            if (sample instanceof InterruptSample s) {
                interrupts(s, out);
            } else if (sample instanceof SoftnetSample s) {
                softnet(s, out);
            } else if (sample instanceof LinkSample s) {
                links(s, out);
            } else if (sample instanceof InterfaceConfigSample s) {
                interfaces(s, out);
            } else if (sample instanceof KernelSettingsSample s) {
                kernel(s, out);
            } else if (sample instanceof WireguardSample s) {
                wireguard(s, out);
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static void interrupts(InterruptSample s, StringBuilder out) {
        out.append("== interrupts (cumulative, per online CPU)\n");
        StringBuilder header = new StringBuilder(String.format("%-8s %-28s", "irq", "devices"));
        s.getOnlineCpus().forEach(cpu -> header.append(String.format(" %12s", "CPU" + cpu)));
        out.append(header).append('\n');
        for (IrqLine line : s.getLines()) {
            row(out, line.getIrq(), String.join(",", line.getDevices()), line.getCounts());
        }
        row(out, "other", "(all other device IRQs)", s.getOtherTotals());
        row(out, "NET_RX", "softirq", s.getNetRxSoftirqs());
        row(out, "NET_TX", "softirq", s.getNetTxSoftirqs());
        row(out, "si", "softirq ticks", s.getSoftirqTicks());
        row(out, "total", "all ticks", s.getTotalTicks());
    }

    private static void row(StringBuilder out, String label, String devices, List<Long> values) {
        out.append(String.format("%-8s %-28s", label, shorten(devices, 28)));
        values.forEach(v -> out.append(String.format(" %12d", v)));
        out.append('\n');
    }

    private static void softnet(SoftnetSample s, StringBuilder out) {
        out.append("== softnet_stat (cumulative)\n");
        out.append(String.format("%-5s %-5s %14s %10s %12s %12s %10s %8s%n", "row", "cpu", "processed", "dropped",
                "time_squeeze", "received_rps", "flow_limit", "backlog"));
        for (SoftnetCpu c : s.getCpus()) {
            out.append(String.format("%-5d %-5s %14d %10d %12d %12s %10s %8s%n", c.getRow(), orDash(c.getCpu()),
                    c.getProcessed(), c.getDropped(), c.getTimeSqueeze(), orDash(c.getReceivedRps()),
                    orDash(c.getFlowLimitCount()), orDash(c.getBacklogLen())));
        }
    }

    private static void links(LinkSample s, StringBuilder out) {
        out.append("== link counters (cumulative)\n");
        out.append(String.format("%-16s %16s %12s %8s %8s %8s %16s %12s %8s %8s%n", "interface", "rx_bytes",
                "rx_packets", "rx_err", "rx_drop", "rx_over", "tx_bytes", "tx_packets", "tx_err", "tx_drop"));
        for (LinkCounters l : s.getInterfaces()) {
            out.append(String.format("%-16s %16d %12d %8d %8d %8d %16d %12d %8d %8d%n", l.getName(), l.getRxBytes(),
                    l.getRxPackets(), l.getRxErrors(), l.getRxDropped(), l.getRxOverErrors(), l.getTxBytes(),
                    l.getTxPackets(), l.getTxErrors(), l.getTxDropped()));
        }
    }

    private static void interfaces(InterfaceConfigSample s, StringBuilder out) {
        out.append("== interfaces\n");
        out.append(String.format("%-16s %-10s %6s %8s %-8s %-10s %s%n", "interface", "kind", "mtu", "txqlen",
                "state", "underlay", "rps_cpus (rps_flow_cnt) per rx queue"));
        for (InterfaceConfig i : s.getInterfaces()) {
            String rps = i.getRxQueues().stream().map(SnapshotTable::queue).collect(Collectors.joining(" "));
            out.append(String.format("%-16s %-10s %6d %8d %-8s %-10s %s%n", i.getName(), i.getKind(), i.getMtu(),
                    i.getTxQueueLen(), i.getOperState(), orDash(i.getUnderlay()), rps));
        }
    }

    private static void wireguard(WireguardSample s, StringBuilder out) {
        out.append("== wireguard peers (transfer cumulative; no WireGuard interface, or wg not working: none)\n");
        out.append(String.format("%-16s %-12s %-24s %5s %-24s %14s %14s %9s%n", "interface", "peer", "endpoint",
                "ips", "latest handshake", "rx_bytes", "tx_bytes", "keepalive"));
        for (WireguardInterface i : s.getInterfaces()) {
            if (i.getPeers().isEmpty()) {
                out.append(String.format("%-16s (no peers; listen port %s)%n", i.getName(), orDash(i.getListenPort())));
            }
            for (WireguardPeer p : i.getPeers()) {
                String handshake = p.getLatestHandshakeMs() == null ? "never"
                        : Instant.ofEpochMilli(p.getLatestHandshakeMs()).toString();
                out.append(String.format("%-16s %-12s %-24s %5d %-24s %14d %14d %9s%n", i.getName(),
                        shorten(p.getPublicKey(), 12), orDash(p.getEndpoint()), p.getAllowedIps(), handshake,
                        p.getRxBytes(), p.getTxBytes(), orDash(p.getPersistentKeepaliveS())));
            }
        }
    }

    private static String queue(RxQueue q) {
        return q.getQueue() + "=" + orDash(q.getRpsCpus()) + "(" + orDash(q.getRpsFlowCnt()) + ")";
    }

    private static void kernel(KernelSettingsSample s, StringBuilder out) {
        out.append("== kernel settings and counters\n");
        Map<String, Object> values = new TreeMap<>();
        values.put("net.core.rmem_max", s.getRmemMax());
        values.put("net.core.wmem_max", s.getWmemMax());
        values.put("net.core.netdev_budget", s.getNetdevBudget());
        values.put("net.core.netdev_budget_usecs", s.getNetdevBudgetUsecs());
        values.put("net.core.netdev_max_backlog", s.getNetdevMaxBacklog());
        values.put("net.core.rps_sock_flow_entries", s.getRpsSockFlowEntries());
        values.put("Udp.RcvbufErrors", s.getUdpRcvbufErrors());
        values.put("Udp.SndbufErrors", s.getUdpSndbufErrors());
        values.put("Udp.InErrors", s.getUdpInErrors());
        values.put("Ip.FragCreates", s.getIpFragCreates());
        values.put("Ip.FragOKs", s.getIpFragOks());
        values.put("Ip.FragFails", s.getIpFragFails());
        values.put("Ip.ReasmReqds", s.getIpReasmReqds());
        values.put("Ip.ReasmOKs", s.getIpReasmOks());
        values.put("Ip.ReasmFails", s.getIpReasmFails());
        values.forEach((k, v) -> out.append(String.format("%-34s %s%n", k, orDash(v))));
        out.append(String.format("%-34s %s%n", "rp_filter", new TreeMap<>(s.getRpFilter())));
        out.append(String.format("%-34s %s%n", "scaling_governor",
                s.getCpuGovernors().isEmpty() ? "- (no cpufreq)" : new TreeMap<>(s.getCpuGovernors())));
    }

    private static String orDash(Object value) {
        return value == null ? "-" : value.toString();
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "~";
    }
}
