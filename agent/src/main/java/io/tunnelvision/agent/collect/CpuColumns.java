package io.tunnelvision.agent.collect;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The {@code CPU0 CPU1 … CPU7} headers of {@code /proc/interrupts} and {@code /proc/softirqs}, and the
 * alignment of per-CPU values between files that list different CPUs.
 *
 * <p>Columns are known only by their labels: {@code /proc/interrupts} lists online CPUs (so {@code CPU5 CPU7}
 * when CPU6 is offline, and not necessarily from CPU0), {@code /proc/softirqs} lists every possible CPU, and
 * {@code /proc/stat} again only online ones. Position means nothing across files; the CPU id does.
 */
final class CpuColumns {

    private static final String PREFIX = "CPU";

    private CpuColumns() {
    }

    /**
     * CPU ids of a header line in {@code [from, end)}, in column order, or null if any token is not
     * {@code CPU<n>} or there is none.
     */
    static int[] header(CharSequence text, int from, int end) {
        if (text instanceof AsciiBytes) {
            return header(((AsciiBytes) text).bytes(), from, end);
        }
        byte[] line = text.subSequence(from, end).toString().getBytes(StandardCharsets.UTF_8);
        return header(line, 0, line.length);
    }

    /** {@link #header(CharSequence, int, int)} on a file's bytes. */
    static int[] header(byte[] text, int from, int end) {
        int[] ids = new int[16];
        int count = 0;
        int i = Scan.skipSpaces(text, from, end);
        while (i < end) {
            int tokenEnd = Scan.tokenEnd(text, i, end);
            if (tokenEnd - i <= PREFIX.length() || !Scan.regionEquals(text, i, i + PREFIX.length(), PREFIX)) {
                return null;
            }
            long id = Scan.decimal(text, i + PREFIX.length(), tokenEnd);
            if (id < 0 || id > Integer.MAX_VALUE) {
                return null;
            }
            if (count == ids.length) {
                ids = Arrays.copyOf(ids, count * 2);
            }
            ids[count++] = (int) id;
            i = Scan.skipSpaces(text, tokenEnd, end);
        }
        return count == 0 ? null : Arrays.copyOf(ids, count);
    }

    /**
     * Values of {@code sourceCpus} rearranged to follow {@code targetCpus}, or null when a target CPU is not in
     * the source (for example a CPU that came online between two reads): a zero there would look like a
     * counter reset to whoever computes rates, so nothing is better than a guess.
     */
    static long[] align(int[] targetCpus, int[] sourceCpus, long[] sourceValues) {
        if (Arrays.equals(targetCpus, sourceCpus)) {
            return sourceValues.clone();
        }
        int maxId = 0;
        for (int id : sourceCpus) {
            maxId = Math.max(maxId, id);
        }
        int[] columnOf = new int[maxId + 1];
        Arrays.fill(columnOf, -1);
        for (int column = 0; column < sourceCpus.length; column++) {
            columnOf[sourceCpus[column]] = column;
        }
        long[] aligned = new long[targetCpus.length];
        for (int k = 0; k < targetCpus.length; k++) {
            int id = targetCpus[k];
            int column = id < columnOf.length ? columnOf[id] : -1;
            if (column < 0) {
                return null;
            }
            aligned[k] = sourceValues[column];
        }
        return aligned;
    }
}
