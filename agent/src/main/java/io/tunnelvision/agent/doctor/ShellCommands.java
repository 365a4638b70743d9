package io.tunnelvision.agent.doctor;

import io.tunnelvision.rules.catalog.TuningCatalog;
import io.tunnelvision.rules.catalog.TuningEntry;
import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.schemas.avro.NicSample;
import java.util.ArrayList;
import java.util.List;

/**
 * The shell command that applies a change the rules propose, as a person types it on the host: the same files
 * the agent's executor writes, through the usual tools. Files and sysctl names are the {@link TuningCatalog}'s.
 */
final class ShellCommands {

    private ShellCommands() {
    }

    /**
     * One line per change, in order; "" for none.
     *
     * @param nics the host's NICs as ethtool showed them (null when unknown): whether a device's channels are
     *             combined or separate RX and TX ones, as the agent's executor decides it
     */
    static String of(List<Change> changes, NicSample nics) {
        List<String> lines = new ArrayList<>();
        for (Change change : changes) {
            lines.add(of(change, nics));
        }
        return String.join("\n", lines);
    }

    /** The line for a device whose channels are combined (or unknown). */
    static String of(Change change) {
        return of(change, null);
    }

    static String of(Change change, NicSample nics) {
        String t = change.target();
        String v = change.newValue();
        return switch (change.action()) {
            case TXQUEUELEN -> "ip link set dev " + t + " txqueuelen " + v;
            case MTU -> "ip link set dev " + t + " mtu " + v;
            case RPS_CPUS, RPS_FLOW_CNT, CPU_GOVERNOR -> echo(v, entry(change).pathFor(t));
            case RPS_SOCK_FLOW_ENTRIES, NETDEV_BUDGET, NETDEV_BUDGET_USECS, NETDEV_MAX_BACKLOG, RMEM_MAX, WMEM_MAX,
                 RP_FILTER -> "sysctl -w " + entry(change).sysctlName(t).orElseThrow() + "=" + v;
            case IRQ_AFFINITY -> irqAffinity(entry(change), t, v);
            case COALESCE_RX_USECS -> "ethtool -C " + t + " rx-usecs " + v;
            case ROOT_QDISC -> "tc qdisc replace dev " + t + " root " + v;
            case RX_RING -> "ethtool -G " + t + " rx " + v;
            case COMBINED_CHANNELS -> separateChannels(nics, t) ? "ethtool -L " + t + " rx " + v + " tx " + v
                    : "ethtool -L " + t + " combined " + v;
            case UNKNOWN -> throw new IllegalArgumentException("No command for an UNKNOWN action on " + t);
        };
    }

    /** A device that ethtool -l shows with RX and TX channels and no combined ones (veth). */
    private static boolean separateChannels(NicSample nics, String device) {
        if (nics == null) {
            return false;
        }
        return nics.getNics().stream().anyMatch(n -> n.getInterface$().equals(device)
                && n.getCombinedChannelsMax() == null && n.getRxChannelsMax() != null);
    }

    private static TuningEntry entry(Change change) {
        return TuningCatalog.entry(change.action());
    }

    private static String echo(String value, String file) {
        return "echo " + value + " > " + file;
    }

    /** One write per IRQ of the set ({@code 45,46} to {@code 0;2}), in the order the agent applies them. */
    private static String irqAffinity(TuningEntry entry, String irqs, String values) {
        String[] targets = irqs.split(",");
        String[] cpus = values.split(";", -1);
        if (targets.length != cpus.length) {
            throw new IllegalArgumentException("IRQ set " + irqs + " has " + cpus.length + " values: " + values);
        }
        List<String> writes = new ArrayList<>(targets.length);
        for (int i = 0; i < targets.length; i++) {
            writes.add(echo(cpus[i], entry.pathFor(targets[i])));
        }
        return String.join("; ", writes);
    }
}
