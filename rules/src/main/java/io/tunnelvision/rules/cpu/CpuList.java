package io.tunnelvision.rules.cpu;

import java.util.BitSet;
import java.util.Collection;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * CPU lists as in {@code /sys/devices/system/cpu/online}, {@code possible} and {@code smp_affinity_list}:
 * {@code 0-3,5,7-9}. Another format than {@link CpuMask}'s hex words, hence another class; as strict.
 */
public final class CpuList {

    /** Above any CPU id a kernel has (NR_CPUS is at most 8192); keeps a typo from allocating a huge set. */
    private static final long MAX_CPU = 1 << 16;

    private CpuList() {
    }

    /**
     * The CPUs in {@code list}; an empty string (no CPU, as in {@code offline} with every CPU up) is the empty
     * set.
     *
     * @throws IllegalArgumentException when a range is not {@code n} or {@code n-m} with n &lt;= m
     */
    public static BitSet parse(String list) {
        if (list == null) {
            throw new IllegalArgumentException("null is not a CPU list: expected ranges such as 0-3,5");
        }
        String trimmed = list.strip();
        BitSet cpus = new BitSet();
        if (trimmed.isEmpty()) {
            return cpus;
        }
        for (String range : trimmed.split(",", -1)) {
            int dash = range.indexOf('-');
            long first = decimal(dash < 0 ? range : range.substring(0, dash));
            long last = dash < 0 ? first : decimal(range.substring(dash + 1));
            if (first < 0 || last < first || last >= MAX_CPU) {
                throw new IllegalArgumentException("'" + trimmed + "' is not a CPU list such as 0-3,5: bad range '"
                        + range + "'");
            }
            cpus.set((int) first, (int) last + 1);
        }
        return cpus;
    }

    /**
     * The CPUs of a list read from a sample, where a bad value must not fail the caller: empty when it is null,
     * blank or not a CPU list (the planner then proposes nothing for it).
     */
    public static Optional<SortedSet<Integer>> tryParse(String list) {
        if (list == null || list.isBlank()) {
            return Optional.empty();
        }
        try {
            SortedSet<Integer> cpus = new TreeSet<>();
            parse(list).stream().forEach(cpus::add);
            return Optional.of(cpus);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** {@code cpus} as the kernel writes a list ({@code 0-3,5}). */
    public static String of(Collection<Integer> cpus) {
        BitSet bits = new BitSet();
        cpus.forEach(bits::set);
        return format(bits);
    }

    /** The inverse of {@link #parse}: {@code cpus} as the kernel writes a list ({@code 0-3,5}). */
    public static String format(BitSet cpus) {
        StringBuilder out = new StringBuilder();
        int start = cpus.nextSetBit(0);
        while (start >= 0) {
            int end = cpus.nextClearBit(start) - 1;
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(start);
            if (end > start) {
                out.append('-').append(end);
            }
            start = cpus.nextSetBit(end + 1);
        }
        return out.toString();
    }

    /** The unsigned decimal {@code text}, or -1 when it is empty, too long or not digits. */
    private static long decimal(String text) {
        if (text.isEmpty() || text.length() > 9) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
