package io.tunnelvision.agent.apply;

import io.tunnelvision.rules.cpu.CpuList;
import io.tunnelvision.rules.cpu.CpuMask;
import io.tunnelvision.rules.catalog.TuningCatalog;
import io.tunnelvision.rules.catalog.TuningEntry;
import io.tunnelvision.rules.catalog.ValueKind;
import io.tunnelvision.schemas.avro.TuningAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a value means for each action (its {@link ValueKind} in the catalog): how it is parsed, whether it is within
 * bounds and sane for this host, how the kernel wants it written, and when two spellings are the same value
 * (compare-and-set must not fail because the planner wrote {@code 3} where the kernel prints {@code 03}).
 */
final class Values {

    private static final Pattern DECIMAL = Pattern.compile("0|[1-9][0-9]{0,17}");
    private static final Pattern GOVERNOR = Pattern.compile("[a-z0-9_]{1,15}");
    private static final int MASK_WORD_BITS = 32;

    private final Path sysRoot;
    private final ApplyBounds bounds;

    Values(Path sysRoot, ApplyBounds bounds) {
        this.sysRoot = sysRoot;
        this.bounds = bounds;
    }

    /**
     * {@code raw} checked and written the way the kernel prints it.
     *
     * @param enforceBounds false for a rollback, which restores the kernel's own earlier value whatever the bounds
     */
    String check(TuningAction action, String target, String raw, boolean enforceBounds) throws Refusal {
        return switch (kind(action)) {
            case CPU_MASK -> rpsMask(raw);
            case CPU_LIST_SET -> affinities(target, raw);
            case GOVERNOR_NAME -> governor(target, raw);
            case QDISC_KIND -> qdiscKind(raw);
            case POWER_OF_TWO -> powerOfTwo(action, decimal(action, raw, enforceBounds));
            case INTEGER -> Long.toString(decimal(action, raw, enforceBounds));
        };
    }

    /** Whether the kernel's {@code current} value is the one the command expected. */
    boolean same(TuningAction action, String current, String expected) throws Refusal {
        try {
            return switch (kind(action)) {
                case CPU_MASK -> CpuMask.parse(current).equals(CpuMask.parse(expected));
                case CPU_LIST_SET -> firstDifference(current, expected) < 0;
                case GOVERNOR_NAME, QDISC_KIND -> current.strip().equals(expected.strip());
                case INTEGER, POWER_OF_TWO -> Long.parseLong(current.strip()) == Long.parseLong(expected.strip());
            };
        } catch (IllegalArgumentException e) {
            throw Refusal.rejected("expectedValue '" + InterfaceNames.printable(expected) + "' is not a value of "
                    + action + ": " + e.getMessage());
        }
    }

    /**
     * For a set of IRQs written halfway when the agent stopped: every IRQ holds either its expected or its new CPU
     * list, and they are not all at one of the two. False for every other kind of value, which is written in one go.
     */
    boolean partlyWritten(TuningAction action, String current, String expected, String wanted) {
        if (kind(action) != ValueKind.CPU_LIST_SET) {
            return false;
        }
        List<String> now = IrqAffinities.split(current);
        List<String> before = IrqAffinities.split(expected);
        List<String> after = IrqAffinities.split(wanted);
        if (now.size() != before.size() || now.size() != after.size()) {
            return false;
        }
        boolean anyBefore = false;
        boolean anyAfter = false;
        try {
            for (int i = 0; i < now.size(); i++) {
                BitSet cpus = CpuList.parse(now.get(i));
                boolean isBefore = cpus.equals(CpuList.parse(before.get(i)));
                boolean isAfter = cpus.equals(CpuList.parse(after.get(i)));
                if (!isBefore && !isAfter) {
                    return false;
                }
                anyBefore |= isBefore && !isAfter;
                anyAfter |= isAfter && !isBefore;
            }
        } catch (IllegalArgumentException e) {
            return false;
        }
        return anyBefore && anyAfter;
    }

    /**
     * The catalog's value kind; an action without an entry (UNKNOWN, refused before its value is looked at) is
     * read as a plain number, for which it has no bounds.
     */
    private static ValueKind kind(TuningAction action) {
        return TuningCatalog.find(action).map(TuningEntry::value).orElse(ValueKind.INTEGER);
    }

    /**
     * For a refused compare-and-set of several IRQs, which IRQ differs ({@code ": IRQ 46 is 0-3, expected 0"});
     * empty for every other case, whose setting names the one file already.
     */
    String whichDiffers(TuningAction action, String target, String current, String expected) throws Refusal {
        List<String> irqs = List.of(target.split(",", -1));
        if (action != TuningAction.IRQ_AFFINITY || irqs.size() < 2) {
            return "";
        }
        int i;
        try {
            i = firstDifference(current, expected);
        } catch (IllegalArgumentException e) {
            throw Refusal.rejected("expectedValue '" + InterfaceNames.printable(expected) + "': " + e.getMessage());
        }
        return i < 0 ? "" : ": IRQ " + irqs.get(i) + " is " + IrqAffinities.split(current).get(i) + ", expected "
                + InterfaceNames.printable(IrqAffinities.split(expected).get(i));
    }

    /**
     * The index of the first IRQ whose CPU sets differ, or -1; sets, so {@code 0-1} and {@code 0,1} are the same.
     *
     * @throws IllegalArgumentException when the counts differ or an element is not a CPU list
     */
    private static int firstDifference(String current, String expected) {
        List<String> a = IrqAffinities.split(current);
        List<String> b = IrqAffinities.split(expected);
        if (a.size() != b.size()) {
            throw new IllegalArgumentException("it has " + b.size() + " CPU lists for " + a.size()
                    + " IRQs (one per IRQ, separated by '" + IrqAffinities.SEPARATOR + "')");
        }
        for (int i = 0; i < a.size(); i++) {
            if (!CpuList.parse(a.get(i)).equals(CpuList.parse(b.get(i)))) {
                return i;
            }
        }
        return -1;
    }

    private long decimal(TuningAction action, String raw, boolean enforceBounds) throws Refusal {
        String value = raw.strip();
        if (!DECIMAL.matcher(value).matches()) {
            throw Refusal.rejected("value '" + InterfaceNames.printable(raw) + "' of " + action
                    + " is not a non-negative whole number");
        }
        long n = Long.parseLong(value);
        if (enforceBounds) {
            ApplyBounds.Range range = bounds.of(action).orElseThrow(() -> Refusal.rejected(
                    "no bounds are configured for " + action));
            if (!range.contains(n)) {
                throw Refusal.rejected("value " + n + " of " + action + " is outside the configured bounds " + range
                        + " (TUNNELVISION_AGENT_APPLY_BOUNDS)");
            }
        }
        return n;
    }

    /** The kernel rounds flow table sizes up to a power of two; asking for anything else is asking for a surprise. */
    private static String powerOfTwo(TuningAction action, long n) throws Refusal {
        if (n != 0 && Long.bitCount(n) != 1) {
            throw Refusal.rejected("value " + n + " of " + action + " is not a power of two: the kernel would round "
                    + "it up to " + Long.highestOneBit(n) * 2 + "; ask for that (or 0 to switch it off)");
        }
        return Long.toString(n);
    }

    /**
     * An RPS mask: 0 (RPS off) or CPUs that are all online, in no more 32-bit words than the kernel's masks have
     * ({@code nr_cpu_ids}, one more than the highest possible CPU). The kernel answers a mask naming CPUs it does
     * not have with EOVERFLOW (6.x) or EINVAL/EIO on older kernels; refusing first gives the planner a reason.
     */
    private String rpsMask(String raw) throws Refusal {
        String value = raw.strip();
        int possible = cpus("possible").length();
        int words = (possible + MASK_WORD_BITS - 1) / MASK_WORD_BITS;
        int given = value.split(",", -1).length;
        if (given > words) {
            throw Refusal.rejected("RPS mask '" + InterfaceNames.printable(value) + "' has " + given
                    + " 32-bit words but this kernel's masks have " + words + " (" + possible
                    + " possible CPUs): the kernel would refuse it with EOVERFLOW");
        }
        BitSet mask;
        try {
            mask = CpuMask.parse(value);
        } catch (IllegalArgumentException e) {
            throw Refusal.rejected(e.getMessage());
        }
        if (!mask.isEmpty()) {
            requireOnline(mask, "RPS mask '" + value + "'");
        }
        return CpuMask.format(mask, possible);
    }

    /**
     * One CPU list per IRQ of {@code target}, in its order, separated by {@link IrqAffinities#SEPARATOR}; each
     * names at least one CPU and only online ones.
     */
    private String affinities(String target, String raw) throws Refusal {
        List<String> irqs = List.of(target.split(",", -1));
        List<String> values = IrqAffinities.split(raw);
        if (values.size() != irqs.size()) {
            throw Refusal.rejected("IRQ affinity '" + InterfaceNames.printable(raw) + "' has " + values.size()
                    + " CPU lists for the " + irqs.size() + " IRQs of the target (one per IRQ, in target order, "
                    + "separated by '" + IrqAffinities.SEPARATOR + "')");
        }
        List<String> checked = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            try {
                checked.add(affinity(values.get(i)));
            } catch (Refusal r) {
                throw irqs.size() == 1 ? r : Refusal.rejected("IRQ " + irqs.get(i) + ": " + r.getMessage());
            }
        }
        return String.join(IrqAffinities.SEPARATOR, checked);
    }

    private String affinity(String raw) throws Refusal {
        BitSet cpus;
        try {
            cpus = CpuList.parse(raw);
        } catch (IllegalArgumentException e) {
            throw Refusal.rejected(e.getMessage());
        }
        if (cpus.isEmpty()) {
            throw Refusal.rejected("IRQ affinity '" + InterfaceNames.printable(raw) + "' names no CPU");
        }
        requireOnline(cpus, "IRQ affinity '" + raw.strip() + "'");
        return CpuList.format(cpus);
    }

    private void requireOnline(BitSet cpus, String what) throws Refusal {
        BitSet online = cpus("online");
        if (!CpuMask.fits(cpus, online)) {
            BitSet outside = (BitSet) cpus.clone();
            outside.andNot(online);
            throw Refusal.rejected(what + " names CPUs " + CpuList.format(outside) + " that are not online on "
                    + "this host (online: " + CpuList.format(online) + ")");
        }
    }

    private String governor(String cpu, String raw) throws Refusal {
        String value = raw.strip();
        if (!GOVERNOR.matcher(value).matches()) {
            throw Refusal.rejected("'" + InterfaceNames.printable(raw) + "' is not a governor name");
        }
        Path cpufreq = sysRoot.resolve("devices/system/cpu/cpu" + cpu + "/cpufreq");
        List<String> available = Arrays.asList(readOrEmpty(cpufreq.resolve("scaling_available_governors"))
                .split("\\s+"));
        if (!available.contains(value)) {
            throw Refusal.rejected("governor '" + value + "' is not available on CPU " + cpu + " (available: "
                    + String.join(" ", available) + ")");
        }
        return value;
    }

    /** A root qdisc kind the agent can set and a rollback re-create ({@link QdiscKinds}). */
    private static String qdiscKind(String raw) throws Refusal {
        String kind = raw.strip();
        Optional<String> problem = QdiscKinds.problem(kind);
        if (problem.isPresent()) {
            throw Refusal.rejected("root qdisc " + problem.get());
        }
        return kind;
    }

    private BitSet cpus(String which) throws Refusal {
        Path file = sysRoot.resolve("devices/system/cpu").resolve(which);
        try {
            return CpuList.parse(KernelFiles.read(file));
        } catch (ApplyFailure | IllegalArgumentException e) {
            throw Refusal.rejected("cannot tell this host's " + which + " CPUs from " + file + ": "
                    + e.getMessage());
        }
    }

    private static String readOrEmpty(Path file) {
        if (!Files.exists(file)) {
            return "";
        }
        try {
            return KernelFiles.read(file);
        } catch (ApplyFailure e) {
            return "";
        }
    }
}
