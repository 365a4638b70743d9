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

    /**
     * One more than the highest CPU id a kernel can have: NR_CPUS is at most 8192 (x86's MAXSMP, powerpc, arm64
     * allows 4096). A label above it is not a CPU but a corrupt or hostile file, and every per-CPU array is sized
     * from these ids, so they are bounded here, before anything is allocated from them.
     */
    static final int MAX_CPUS = 8192;

    private static final String PREFIX = "CPU";

    private CpuColumns() {
    }

    /**
     * CPU ids of a header line in {@code [from, end)}, in column order.
     *
     * @throws MalformedFileException when a token is not {@code CPU<n>}, there is none, an id is not below
     *         {@link #MAX_CPUS}, or the ids do not rise from column to column (the kernel prints them in order,
     *         each once)
     */
    static int[] header(CharSequence text, int from, int end) throws MalformedFileException {
        if (text instanceof AsciiBytes) {
            return header(((AsciiBytes) text).bytes(), from, end);
        }
        byte[] line = text.subSequence(from, end).toString().getBytes(StandardCharsets.UTF_8);
        return header(line, 0, line.length);
    }

    /** {@link #header(CharSequence, int, int)} on a file's bytes. */
    static int[] header(byte[] text, int from, int end) throws MalformedFileException {
        // Rising ids below MAX_CPUS: never more than MAX_CPUS columns, whatever the line's length.
        int[] ids = new int[16];
        int count = 0;
        int i = Scan.skipSpaces(text, from, end);
        while (i < end) {
            int tokenEnd = Scan.tokenEnd(text, i, end);
            if (tokenEnd - i <= PREFIX.length() || !Scan.regionEquals(text, i, i + PREFIX.length(), PREFIX)) {
                throw new MalformedFileException("not a CPU header such as '      CPU0  CPU1': '"
                        + excerpt(text, i, tokenEnd) + "' is no CPU label");
            }
            long id = Scan.decimal(text, i + PREFIX.length(), tokenEnd);
            if (id < 0) {
                throw new MalformedFileException("not a CPU header such as '      CPU0  CPU1': '"
                        + excerpt(text, i, tokenEnd) + "' has no CPU number");
            }
            if (id >= MAX_CPUS) {
                throw new MalformedFileException("CPU header names " + excerpt(text, i, tokenEnd)
                        + ", but no kernel has more than " + MAX_CPUS + " CPUs (NR_CPUS)");
            }
            if (count > 0 && id <= ids[count - 1]) {
                throw new MalformedFileException("CPU header lists " + excerpt(text, i, tokenEnd) + " after CPU"
                        + ids[count - 1] + ": the kernel prints each CPU once, in rising order");
            }
            if (count == ids.length) {
                ids = Arrays.copyOf(ids, count * 2);
            }
            ids[count++] = (int) id;
            i = Scan.skipSpaces(text, tokenEnd, end);
        }
        if (count == 0) {
            throw new MalformedFileException("not a CPU header such as '      CPU0  CPU1': the line is blank");
        }
        return Arrays.copyOf(ids, count);
    }

    private static String excerpt(byte[] text, int from, int to) {
        return Scan.string(text, from, Math.min(to, from + 40)) + (to - from > 40 ? "..." : "");
    }

    /**
     * Values of {@code sourceCpus} rearranged to follow {@code targetCpus}, or null when a target CPU is not in
     * the source (for example a CPU that came online between two reads): a zero there would look like a
     * counter reset to whoever computes rates, so nothing is better than a guess. Null too when an id of either
     * is outside {@code [0, MAX_CPUS)} or the source names a CPU twice: the ids index a table, so they are
     * checked before it is made.
     */
    static long[] align(int[] targetCpus, int[] sourceCpus, long[] sourceValues) {
        if (sourceCpus.length != sourceValues.length) {
            return null;
        }
        if (Arrays.equals(targetCpus, sourceCpus)) {
            return sourceValues.clone();
        }
        int maxId = 0;
        for (int id : sourceCpus) {
            if (id < 0 || id >= MAX_CPUS) {
                return null;
            }
            maxId = Math.max(maxId, id);
        }
        int[] columnOf = new int[maxId + 1];
        Arrays.fill(columnOf, -1);
        for (int column = 0; column < sourceCpus.length; column++) {
            if (columnOf[sourceCpus[column]] >= 0) {
                return null;
            }
            columnOf[sourceCpus[column]] = column;
        }
        long[] aligned = new long[targetCpus.length];
        for (int k = 0; k < targetCpus.length; k++) {
            int id = targetCpus[k];
            int column = id >= 0 && id < columnOf.length ? columnOf[id] : -1;
            if (column < 0) {
                return null;
            }
            aligned[k] = sourceValues[column];
        }
        return aligned;
    }
}
