package io.tunnelvision.agent.apply;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code smp_affinity_list} files of the IRQs one IRQ_AFFINITY command names, changed as one: the way
 * irqbalance or a driver's {@code set_irq_affinity} script spreads a device's queue IRQs, but all or none.
 *
 * <p>Values are the files' CPU lists in target order joined by {@link #SEPARATOR} ({@code 0;2;4} for IRQs 45,
 * 46 and 47); one IRQ is the one-element case and reads and writes exactly as a single file did.
 *
 * <p>Why all or none: a half-spread set is a placement nobody planned (two queues on one CPU, one on a CPU of
 * the other NUMA node) that the planner then sees as a new hotspot. The kernel refuses some IRQs outright
 * (EIO for a managed IRQ, whose affinity the kernel owns; EINVAL for a CPU set the interrupt controller cannot
 * target), so {@link #write} writes in order and, if one write fails, puts back the ones already written in
 * reverse order, each to the value it read just before writing it.
 */
final class IrqAffinities implements SettingAccess {

    static final String SEPARATOR = ";";

    private final List<String> irqs;
    private final List<Path> files;
    private final String where;

    /** @param files the {@code smp_affinity_list} of each IRQ in {@code irqs}, same order */
    IrqAffinities(List<String> irqs, List<Path> files, Path procIrq) {
        if (irqs.isEmpty() || irqs.size() != files.size()) {
            throw new IllegalArgumentException("one file per IRQ, at least one: " + irqs + " " + files);
        }
        this.irqs = List.copyOf(irqs);
        this.files = List.copyOf(files);
        this.where = irqs.size() == 1 ? files.get(0).toString()
                : procIrq.resolve("{" + String.join(",", irqs) + "}").resolve("smp_affinity_list").toString();
    }

    /** The elements of a value, one per IRQ; a trailing empty element is kept so that it is counted. */
    static List<String> split(String value) {
        return List.of(value.split(SEPARATOR, -1));
    }

    List<String> irqs() {
        return irqs;
    }

    @Override
    public String where() {
        return where;
    }

    @Override
    public String read() throws ApplyFailure {
        List<String> values = new ArrayList<>(files.size());
        for (Path file : files) {
            values.add(KernelFiles.read(file));
        }
        return String.join(SEPARATOR, values);
    }

    @Override
    public void write(String value) throws ApplyFailure {
        List<String> wanted = split(value);
        if (wanted.size() != files.size()) {
            throw new IllegalArgumentException(wanted.size() + " values for " + files.size() + " IRQs");
        }
        List<String> before = new ArrayList<>(files.size());
        for (int i = 0; i < files.size(); i++) {
            try {
                String current = KernelFiles.read(files.get(i));
                before.add(current);
                KernelFiles.write(files.get(i), wanted.get(i));
            } catch (ApplyFailure e) {
                throw e.within("IRQ " + irqs.get(i) + ": ", restore(before, i));
            }
        }
    }

    /**
     * Writes back the values before of the IRQs {@code written - 1} down to 0; says what it did, for the reason
     * of the failure. A restore that fails is reported and the others are still tried.
     */
    private String restore(List<String> before, int written) {
        if (written == 0) {
            return "; nothing was changed";
        }
        List<String> restored = new ArrayList<>();
        List<String> stuck = new ArrayList<>();
        for (int i = written - 1; i >= 0; i--) {
            try {
                KernelFiles.write(files.get(i), before.get(i));
                restored.add(irqs.get(i) + " to " + before.get(i));
            } catch (ApplyFailure e) {
                stuck.add(irqs.get(i) + " (" + e.getMessage() + ")");
            }
        }
        String out = restored.isEmpty() ? "" : "; restored IRQ " + String.join(", ", restored);
        if (!stuck.isEmpty()) {
            out += "; COULD NOT RESTORE IRQ " + String.join(", ", stuck) + ": they keep the new value";
        }
        return out;
    }
}
