package io.tunnelvision.rules.plan;

import java.util.Collection;
import java.util.Optional;
import java.util.TreeSet;
import java.util.SortedSet;

/**
 * CPU lists as the kernel prints and reads them ({@code smp_affinity_list}, {@code local_cpulist}):
 * comma-separated CPUs and ranges, {@code 0-3,8}. The list twin of {@link CpuMask}.
 */
public final class CpuList {

    private CpuList() {
    }

    /** The CPUs of a list; empty when it is null, blank or not a CPU list. */
    public static Optional<SortedSet<Integer>> parse(String list) {
        if (list == null || list.isBlank()) {
            return Optional.empty();
        }
        SortedSet<Integer> cpus = new TreeSet<>();
        try {
            for (String part : list.trim().split(",")) {
                String[] range = part.trim().split("-", 2);
                int from = Integer.parseInt(range[0].trim());
                int to = range.length == 2 ? Integer.parseInt(range[1].trim()) : from;
                if (from < 0 || to < from) {
                    return Optional.empty();
                }
                for (int cpu = from; cpu <= to; cpu++) {
                    cpus.add(cpu);
                }
            }
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.of(cpus);
    }

    /** Shortest form: {@code 0-3,8}. */
    public static String of(Collection<Integer> cpus) {
        StringBuilder out = new StringBuilder();
        Integer start = null;
        Integer previous = null;
        for (int cpu : new TreeSet<>(cpus)) {
            if (previous != null && cpu == previous + 1) {
                previous = cpu;
                continue;
            }
            append(out, start, previous);
            start = cpu;
            previous = cpu;
        }
        append(out, start, previous);
        return out.toString();
    }

    private static void append(StringBuilder out, Integer start, Integer end) {
        if (start == null) {
            return;
        }
        if (!out.isEmpty()) {
            out.append(',');
        }
        out.append(start);
        if (!end.equals(start)) {
            out.append('-').append(end);
        }
    }
}
