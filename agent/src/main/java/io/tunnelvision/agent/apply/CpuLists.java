package io.tunnelvision.agent.apply;

import java.util.BitSet;

/** Writes CPU sets in the kernel's list format ({@code 0-3,6}), the inverse of {@code collect.CpuList.parse}. */
final class CpuLists {

    private CpuLists() {
    }

    static String format(BitSet cpus) {
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
