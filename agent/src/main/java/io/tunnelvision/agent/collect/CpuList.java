package io.tunnelvision.agent.collect;

import java.util.BitSet;

/**
 * CPU lists as in {@code /sys/devices/system/cpu/online} and {@code possible}: {@code 0-3,5,7-9}.
 * Companion of {@link CpuMask}, which needs the online set to check a mask against.
 */
public final class CpuList {

    private CpuList() {
    }

    /**
     * The CPUs in {@code list}; an empty string (no CPU, as in {@code offline} with every CPU up) is the empty
     * set.
     *
     * @throws IllegalArgumentException when a range is not {@code n} or {@code n-m} with n &lt;= m
     */
    public static BitSet parse(String list) {
        String trimmed = list.strip();
        BitSet cpus = new BitSet();
        if (trimmed.isEmpty()) {
            return cpus;
        }
        for (String range : trimmed.split(",", -1)) {
            int dash = range.indexOf('-');
            long first = Scan.decimal(range, 0, dash < 0 ? range.length() : dash);
            long last = dash < 0 ? first : Scan.decimal(range, dash + 1, range.length());
            if (first < 0 || last < first || last >= Integer.MAX_VALUE) {
                throw new IllegalArgumentException("'" + trimmed + "' is not a CPU list such as 0-3,5: bad range '"
                        + range + "'");
            }
            cpus.set((int) first, (int) last + 1);
        }
        return cpus;
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
}
