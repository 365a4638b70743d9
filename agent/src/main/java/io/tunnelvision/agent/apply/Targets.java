package io.tunnelvision.agent.apply;

import io.tunnelvision.rules.catalog.TuningCatalog;
import io.tunnelvision.schemas.avro.TuningAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns a command's action and target into the one file (or ethtool or tc call) it may change, refusing any target that
 * is not well-formed for its action or does not exist on this host. Names are validated before they touch a path,
 * and the path is checked to stay under its root afterwards as well, so no spelling of {@code ../} gets through.
 */
final class Targets {

    static final String HOST = "host";
    /** IRQs one IRQ_AFFINITY command may name: more than the queues of any NIC (mlx5 has up to 128 per port). */
    static final int MAX_IRQS = 256;
    private static final Pattern NUMBER = Pattern.compile("0|[1-9][0-9]{0,5}");
    private static final Pattern RX_QUEUE = Pattern.compile("rx-(0|[1-9][0-9]{0,4})");

    private final Path sysRoot;
    private final Path procRoot;
    private final ToolRunner tools;
    private final Ethtool ethtool;
    private final Tc tc;

    Targets(Path sysRoot, Path procRoot, ToolRunner tools) {
        this.sysRoot = sysRoot;
        this.procRoot = procRoot;
        this.tools = tools;
        this.ethtool = new Ethtool(tools);
        this.tc = new Tc(tools);
    }

    SettingAccess resolve(TuningAction action, String target) throws Refusal {
        return switch (action) {
            case TXQUEUELEN, MTU -> file(interfaceDir(target), fileName(action));
            case RPS_CPUS, RPS_FLOW_CNT -> file(rxQueueDir(target), fileName(action));
            case RPS_SOCK_FLOW_ENTRIES, NETDEV_BUDGET, NETDEV_BUDGET_USECS, NETDEV_MAX_BACKLOG, RMEM_MAX, WMEM_MAX ->
                    netCore(target, fileName(action));
            case RP_FILTER -> rpFilter(target);
            case IRQ_AFFINITY -> irqAffinity(target);
            case CPU_GOVERNOR -> file(cpuDir(target).resolve("cpufreq"), "scaling_governor");
            case COALESCE_RX_USECS -> ethtool(target, action, "interrupt coalescing").rxUsecs(target);
            case RX_RING -> ethtool(target, action, "a NIC's ring size").rxRing(target);
            case COMBINED_CHANNELS -> ethtool(target, action, "a NIC's channel count").channels(target);
            case ROOT_QDISC -> rootQdisc(target);
            case UNKNOWN -> throw Refusal.rejected("action UNKNOWN: the command uses an action this agent does "
                    + "not know");
        };
    }

    /**
     * The catalog's file name for a simple file-backed action: a constant single path component, joined to a
     * directory this class has already validated.
     */
    private static String fileName(TuningAction action) {
        return TuningCatalog.entry(action).fileName();
    }

    /** {@code /sys/class/net/<name>}, which must exist. */
    Path interfaceDir(String name) throws Refusal {
        String problem = InterfaceNames.problem(name);
        if (problem != null) {
            throw Refusal.rejected("target: " + problem);
        }
        Path dir = under(sysRoot.resolve("class/net"), name);
        if (!Files.isDirectory(dir)) {
            throw Refusal.rejected("target: there is no interface '" + name + "' on this host");
        }
        return dir;
    }

    private Path rxQueueDir(String target) throws Refusal {
        int slash = target.indexOf('/');
        if (slash < 0) {
            throw Refusal.rejected("target '" + InterfaceNames.printable(target) + "' names no receive queue: use "
                    + "<interface>/rx-<n>, e.g. tun0/rx-0");
        }
        String queue = target.substring(slash + 1);
        Path dir = interfaceDir(target.substring(0, slash));
        if (!RX_QUEUE.matcher(queue).matches()) {
            throw Refusal.rejected("target '" + InterfaceNames.printable(target) + "': '"
                    + InterfaceNames.printable(queue) + "' is not a receive queue such as rx-0");
        }
        Path queueDir = under(dir.resolve("queues"), queue);
        if (!Files.isDirectory(queueDir)) {
            throw Refusal.rejected("target: interface " + target.substring(0, slash) + " has no queue " + queue);
        }
        return queueDir;
    }

    private SettingAccess netCore(String target, String name) throws Refusal {
        if (!HOST.equals(target)) {
            throw Refusal.rejected("target '" + InterfaceNames.printable(target) + "': net.core." + name
                    + " is host-wide, the target must be '" + HOST + "'");
        }
        return file(procRoot.resolve("sys/net/core"), name);
    }

    private SettingAccess rpFilter(String target) throws Refusal {
        Path conf = procRoot.resolve("sys/net/ipv4/conf");
        if (target.equals("all") || target.equals("default")) {
            return file(conf.resolve(target), "rp_filter");
        }
        interfaceDir(target);
        Path dir = under(conf, target);
        if (!Files.isDirectory(dir)) {
            throw Refusal.rejected("target: interface " + target + " has no IPv4 configuration (" + dir + ")");
        }
        return file(dir, "rp_filter");
    }

    /**
     * One IRQ ({@code 45}) or several in ascending order ({@code 45,46,47}), at most {@link #MAX_IRQS}, each with
     * its {@code /proc/irq/<n>/smp_affinity_list}.
     */
    private SettingAccess irqAffinity(String target) throws Refusal {
        Path procIrq = procRoot.resolve("irq");
        List<String> irqs = List.of(target.split(",", -1));
        if (irqs.size() > MAX_IRQS) {
            throw Refusal.rejected("target names " + irqs.size() + " IRQs; one command changes at most " + MAX_IRQS);
        }
        List<Path> files = new ArrayList<>(irqs.size());
        long previous = -1;
        for (String irq : irqs) {
            if (!NUMBER.matcher(irq).matches()) {
                throw Refusal.rejected("target '" + InterfaceNames.printable(target) + "': '"
                        + InterfaceNames.printable(irq) + "' is not an IRQ number (one, or several ascending and "
                        + "comma-separated: 45,46,47)");
            }
            long number = Long.parseLong(irq);
            if (number <= previous) {
                throw Refusal.rejected("target '" + target + "': IRQs must be listed once each in ascending order, "
                        + "and " + irq + " comes after " + previous);
            }
            previous = number;
            Path dir = under(procIrq, irq);
            if (!Files.isDirectory(dir)) {
                throw Refusal.rejected("target: there is no IRQ " + irq + " on this host");
            }
            Path file = dir.resolve("smp_affinity_list");
            if (!Files.exists(file)) {
                throw Refusal.rejected("target: " + file + " does not exist on this kernel");
            }
            files.add(file);
        }
        return new IrqAffinities(irqs, files, procIrq);
    }

    Path cpuDir(String target) throws Refusal {
        if (!NUMBER.matcher(target).matches()) {
            throw Refusal.rejected("target '" + InterfaceNames.printable(target) + "' is not a CPU number");
        }
        Path dir = under(sysRoot.resolve("devices/system/cpu"), "cpu" + target);
        if (!Files.isDirectory(dir)) {
            throw Refusal.rejected("target: there is no CPU " + target + " on this host");
        }
        if (!Files.exists(dir.resolve("cpufreq/scaling_governor"))) {
            throw Refusal.rejected("target: CPU " + target + " has no cpufreq scaling governor (no frequency "
                    + "scaling driver, as in most virtual machines)");
        }
        return dir;
    }

    /** An interface's setting only ethtool can change, once the interface and ethtool are there. */
    private Ethtool ethtool(String target, TuningAction action, String what) throws Refusal {
        interfaceDir(target);
        requireTool(ToolRunner.Tool.ETHTOOL, what, action);
        return ethtool;
    }

    private SettingAccess rootQdisc(String target) throws Refusal {
        Path dir = interfaceDir(target);
        requireTool(ToolRunner.Tool.TC, "the root qdisc", TuningAction.ROOT_QDISC);
        return tc.rootQdisc(target, dir);
    }

    private void requireTool(ToolRunner.Tool tool, String what, TuningAction action) throws Refusal {
        Optional<String> missing = tools.missing(tool);
        if (missing.isPresent()) {
            throw Refusal.rejected(missing.get() + ": " + what + " can only be changed through it (or remove "
                    + action + " from TUNNELVISION_AGENT_APPLY_ACTIONS)");
        }
    }

    private static SettingAccess file(Path dir, String name) throws Refusal {
        Path file = dir.resolve(name);
        if (!Files.exists(file)) {
            throw Refusal.rejected("target: " + file + " does not exist on this kernel");
        }
        return new SettingAccess.File(file);
    }

    /** {@code parent/child}, refusing anything that would end up elsewhere (belt and braces: names are checked). */
    private static Path under(Path parent, String child) throws Refusal {
        Path resolved = parent.resolve(child).normalize();
        if (!resolved.getParent().equals(parent.normalize())) {
            throw Refusal.rejected("target '" + InterfaceNames.printable(child) + "' leaves " + parent);
        }
        return resolved;
    }
}
