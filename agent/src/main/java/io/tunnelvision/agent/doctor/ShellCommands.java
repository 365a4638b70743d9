package io.tunnelvision.agent.doctor;

import io.tunnelvision.rules.plan.Change;
import java.util.ArrayList;
import java.util.List;

/**
 * The shell command that applies a change the rules propose, as a person types it on the host: the same files
 * the agent's executor writes, through the usual tools.
 */
final class ShellCommands {

    private ShellCommands() {
    }

    /** One line per change, in order; "" for none. */
    static String of(List<Change> changes) {
        List<String> lines = new ArrayList<>();
        for (Change change : changes) {
            lines.add(of(change));
        }
        return String.join("\n", lines);
    }

    static String of(Change change) {
        String t = change.target();
        String v = change.newValue();
        return switch (change.action()) {
            case TXQUEUELEN -> "ip link set dev " + t + " txqueuelen " + v;
            case MTU -> "ip link set dev " + t + " mtu " + v;
            case RPS_CPUS -> "echo " + v + " > " + queueFile(t, "rps_cpus");
            case RPS_FLOW_CNT -> "echo " + v + " > " + queueFile(t, "rps_flow_cnt");
            case RPS_SOCK_FLOW_ENTRIES -> sysctl("net.core.rps_sock_flow_entries", v);
            case NETDEV_BUDGET -> sysctl("net.core.netdev_budget", v);
            case NETDEV_BUDGET_USECS -> sysctl("net.core.netdev_budget_usecs", v);
            case NETDEV_MAX_BACKLOG -> sysctl("net.core.netdev_max_backlog", v);
            case RMEM_MAX -> sysctl("net.core.rmem_max", v);
            case WMEM_MAX -> sysctl("net.core.wmem_max", v);
            // sysctl names use '/' for a dot inside an interface name (eth0.100 -> eth0/100)
            case RP_FILTER -> sysctl("net.ipv4.conf." + t.replace('.', '/') + ".rp_filter", v);
            case IRQ_AFFINITY -> irqAffinity(t, v);
            case COALESCE_RX_USECS -> "ethtool -C " + t + " rx-usecs " + v;
            case CPU_GOVERNOR -> "echo " + v + " > /sys/devices/system/cpu/cpu" + t + "/cpufreq/scaling_governor";
            case UNKNOWN -> throw new IllegalArgumentException("No command for an UNKNOWN action on " + t);
        };
    }

    /** One write per IRQ of the set ({@code 45,46} to {@code 0;2}), in the order the agent applies them. */
    private static String irqAffinity(String irqs, String values) {
        String[] targets = irqs.split(",");
        String[] cpus = values.split(";", -1);
        if (targets.length != cpus.length) {
            throw new IllegalArgumentException("IRQ set " + irqs + " has " + cpus.length + " values: " + values);
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < targets.length; i++) {
            if (i > 0) {
                out.append("; ");
            }
            out.append("echo ").append(cpus[i]).append(" > /proc/irq/").append(targets[i])
                    .append("/smp_affinity_list");
        }
        return out.toString();
    }

    private static String sysctl(String name, String value) {
        return "sysctl -w " + name + "=" + value;
    }

    /** A queue target is {@code <interface>/<queue>}, e.g. {@code tun0/rx-0}. */
    private static String queueFile(String target, String file) {
        int slash = target.lastIndexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("'" + target + "' is not <interface>/<queue>");
        }
        return "/sys/class/net/" + target.substring(0, slash) + "/queues/" + target.substring(slash + 1) + "/" + file;
    }
}
