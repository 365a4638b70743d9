package io.tunnelvision.rules.plan;

import io.tunnelvision.rules.catalog.SampleReading;
import io.tunnelvision.rules.catalog.TuningCatalog;
import io.tunnelvision.rules.catalog.TuningEntry;
import io.tunnelvision.rules.catalog.ValueKind;
import io.tunnelvision.rules.cpu.CpuList;
import io.tunnelvision.rules.cpu.CpuMask;
import io.tunnelvision.rules.detect.Tunnels;
import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.IrqLine;
import io.tunnelvision.schemas.avro.RxQueue;
import io.tunnelvision.schemas.avro.TuningAction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.regex.Pattern;

/**
 * An operator's change by hand, held to what the planner's own changes are held to: an action the catalog knows, a
 * target of the action's kind, a value of its kind within the catalog's bounds (the agent's default bounds), and the
 * setting's current value read from the host's latest samples where the catalog says, as the compare-and-set's
 * expected value. Without a current value there is no change: the gate never guesses what a gateway runs.
 */
public final class ManualChange {

    /** Why a manual change was refused; the gate's metric label is the lower-case name. */
    public enum Refusal {
        /** Not a tuning action the catalog knows. */
        UNKNOWN_ACTION,
        /** The target is not of the action's kind, or the host has no such interface, queue, IRQ or CPU. */
        BAD_TARGET,
        /** Not a value of the action's kind, or outside its bounds. */
        OUT_OF_BOUNDS,
        /** The host's samples do not carry the setting's current value (yet): no compare-and-set basis. */
        NO_CURRENT_VALUE
    }

    /** The change, or why there is none and what exactly was wrong. */
    public record Result(Change change, Refusal refusal, String detail) {

        static Result refused(Refusal refusal, String detail) {
            return new Result(null, refusal, detail);
        }

        public boolean accepted() {
            return change != null;
        }
    }

    static final Set<String> GOVERNORS = Set.of("performance", "powersave", "ondemand", "conservative", "schedutil",
            "userspace");
    private static final Pattern INTERFACE_NAME = Pattern.compile("[A-Za-z0-9_.:@-]{1,15}");
    private static final Pattern IRQ_SET = Pattern.compile("\\d{1,6}(,\\d{1,6})*");

    private ManualChange() {
    }

    public static Result of(String actionName, String target, String newValue, HostContext host) {
        TuningAction action;
        try {
            action = TuningAction.valueOf(actionName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            action = TuningAction.UNKNOWN;
        }
        Optional<TuningEntry> found = TuningCatalog.find(action);
        if (found.isEmpty()) {
            return Result.refused(Refusal.UNKNOWN_ACTION, "'" + actionName + "' is not a tuning action; known: "
                    + TuningCatalog.all().stream().map(e -> e.action().name()).sorted().toList());
        }
        TuningEntry entry = found.get();
        String targetProblem = targetProblem(entry, target);
        if (targetProblem != null) {
            return Result.refused(Refusal.BAD_TARGET, targetProblem);
        }
        String valueProblem = valueProblem(entry, target, newValue, host);
        if (valueProblem != null) {
            return Result.refused(Refusal.OUT_OF_BOUNDS, action + " " + valueProblem);
        }
        String current = current(entry, target, host);
        if (current == null) {
            return noCurrentValue(entry, target);
        }
        return new Result(new Change(action, target, current, newValue.strip()), null, null);
    }

    private static String targetProblem(TuningEntry entry, String target) {
        boolean ok = switch (entry.target()) {
            case HOST -> ChangeProposer.HOST_TARGET.equals(target);
            case INTERFACE, IPV4_CONF -> INTERFACE_NAME.matcher(target).matches();
            case RX_QUEUE -> target.indexOf('/') > 0 && INTERFACE_NAME.matcher(target.substring(0,
                    target.lastIndexOf('/'))).matches() && target.substring(target.lastIndexOf('/') + 1)
                    .matches("rx-\\d{1,4}");
            case IRQ_SET -> IRQ_SET.matcher(target).matches();
            case CPU -> target.matches("\\d{1,4}");
        };
        if (ok) {
            return null;
        }
        String wanted = switch (entry.target()) {
            case HOST -> "'host'";
            case INTERFACE -> "an interface name such as tun0";
            case IPV4_CONF -> "all, default or an interface name";
            case RX_QUEUE -> "<interface>/rx-<n> such as tun0/rx-0";
            case IRQ_SET -> "IRQ numbers such as 45 or 45,46,47";
            case CPU -> "a CPU id such as 3";
        };
        return entry.action() + " targets " + wanted + ", not '" + target + "'";
    }

    private static String valueProblem(TuningEntry entry, String target, String value, HostContext host) {
        String v = value.strip();
        switch (entry.value()) {
            case INTEGER, POWER_OF_TWO -> {
                long n;
                try {
                    n = Long.parseLong(v);
                } catch (NumberFormatException e) {
                    return "wants a non-negative integer, not '" + v + "'";
                }
                if (n < 0) {
                    return "wants a non-negative integer, not " + n;
                }
                if (entry.bounds().isPresent() && !entry.bounds().get().contains(n)) {
                    return "value " + n + " is outside its bounds " + entry.bounds().get().min() + ".."
                            + entry.bounds().get().max();
                }
                if (entry.value() == ValueKind.POWER_OF_TWO && n != 0
                        && Long.bitCount(n) != 1) {
                    return "value " + n + " must be 0 or a power of two (the kernel rounds it up to one)";
                }
                return null;
            }
            case CPU_MASK -> {
                BitSet mask;
                try {
                    mask = CpuMask.parse(v);
                } catch (IllegalArgumentException e) {
                    return e.getMessage();
                }
                BitSet online = new BitSet();
                host.onlineCpus().forEach(online::set);
                return online.isEmpty() || CpuMask.fits(mask, online) ? null
                        : "mask " + v + " must name at least one CPU and only online ones " + host.onlineCpus();
            }
            case CPU_LIST_SET -> {
                String[] lists = v.split(";", -1);
                int irqs = target.split(",").length;
                if (lists.length != irqs) {
                    return "wants one CPU list per IRQ of " + target + " separated by ';' (" + irqs + "), not "
                            + lists.length;
                }
                for (String list : lists) {
                    Optional<SortedSet<Integer>> cpus = CpuList.tryParse(list);
                    if (cpus.isEmpty() || cpus.get().isEmpty()) {
                        return "'" + list + "' is not a CPU list such as 0-3,8";
                    }
                    if (!host.onlineCpus().isEmpty() && !host.onlineCpus().containsAll(cpus.get())) {
                        return "CPU list " + list + " names CPUs that are not online " + host.onlineCpus();
                    }
                }
                return null;
            }
            case GOVERNOR_NAME -> {
                return GOVERNORS.contains(v) ? null : "wants one of " + GOVERNORS.stream().sorted().toList()
                        + ", not '" + v + "'";
            }
            case QDISC_KIND -> {
                return RootQdiscSwitch.SETTABLE.contains(v) ? null : "wants one of "
                        + RootQdiscSwitch.SETTABLE.stream().sorted().toList() + ", not '" + v + "'";
            }
            default -> {
                return "cannot check a value of kind " + entry.value();
            }
        }
    }

    /** The current value where the catalog says it is read, or null. */
    private static String current(TuningEntry entry, String target, HostContext host) {
        TuningAction action = entry.action();
        SampleReading reading = entry.reading();
        String value = null;
        if (reading instanceof SampleReading.Kernel kernel) {
            value = host.kernel() == null ? null : stringOf(kernel.value().apply(host.kernel()));
        } else if (reading instanceof SampleReading.Interface iface) {
            value = Tunnels.find(host.interfaces(), target).map(i -> stringOf(iface.value().apply(i))).orElse(null);
        } else if (reading instanceof SampleReading.Queue queue) {
            value = queue(host, target).map(q -> queue.value().apply(q)).orElse(null);
        } else if (reading instanceof SampleReading.PerCpu perCpu) {
            value = host.kernel() == null ? null : perCpu.values().apply(host.kernel()).get(target);
        } else if (reading instanceof SampleReading.IrqAffinities) {
            value = irqAffinities(host, target);
        } else if (reading instanceof SampleReading.NicSetting nic) {
            value = host.nic(target).map(n -> nic.value().apply(n)).map(String::valueOf).orElse(null);
        } else if (reading instanceof SampleReading.RootQdiscKind) {
            value = host.rootQdisc(target).map(q -> q.getKind()).orElse(null);
        } else if (action == TuningAction.RP_FILTER) {
            // the planner never sets rp_filter (the catalog reads it as None), but the kernel settings sample
            // carries it per interface, which is the agent's compare-and-set basis for a change by hand
            value = rpFilter(host, target);
        }
        return value;
    }

    private static Result noCurrentValue(TuningEntry entry, String target) {
        TuningAction action = entry.action();
        String why = entry.reading() instanceof SampleReading.None none && action != TuningAction.RP_FILTER
                ? none.why() : "the host's latest samples do not carry it (no sample yet, or no such "
                + entry.target().name().toLowerCase(Locale.ROOT).replace('_', ' ') + " '" + target + "')";
        return Result.refused(Refusal.NO_CURRENT_VALUE, "the current " + action + " of " + target
                + " is not known, so there is no compare-and-set basis: " + why);
    }

    private static Optional<RxQueue> queue(HostContext host, String target) {
        int slash = target.lastIndexOf('/');
        Optional<InterfaceConfig> iface = Tunnels.find(host.interfaces(), target.substring(0, slash));
        String name = target.substring(slash + 1);
        return iface.flatMap(i -> i.getRxQueues().stream().filter(q -> q.getQueue().equals(name)).findFirst());
    }

    /** rp_filter as the kernel settings sample carries it (all, default and each interface). */
    private static String rpFilter(HostContext host, String target) {
        if (host.kernel() == null) {
            return null;
        }
        Integer value = host.kernel().getRpFilter().get(target);
        return value == null ? null : value.toString();
    }

    /** Each IRQ's configured smp_affinity_list, ';'-separated in the target's order, as IrqSpread compares them. */
    private static String irqAffinities(HostContext host, String target) {
        if (host.interrupts() == null) {
            return null;
        }
        Map<String, String> byIrq = new HashMap<>();
        for (IrqLine line : host.interrupts().getLines()) {
            if (line.getAffinity() != null) {
                byIrq.put(line.getIrq(), line.getAffinity().trim());
            }
        }
        List<String> out = new ArrayList<>();
        for (String irq : Arrays.asList(target.split(","))) {
            String affinity = byIrq.get(irq);
            if (affinity == null) {
                return null;
            }
            out.add(affinity);
        }
        return String.join(";", out);
    }

    private static String stringOf(Long value) {
        return value == null ? null : value.toString();
    }
}
