package io.tunnelvision.agent.collect;

/**
 * Parses the NET_RX and NET_TX rows of {@code /proc/softirqs}.
 *
 * <pre>
 *                     CPU0       CPU1       CPU2       CPU3
 *           HI:          0          0          0          0
 *       NET_TX:          5          1          0          3
 *       NET_RX:       4858       4905         12         99
 * </pre>
 * The header lists every possible CPU, online or not (kernel/softirq.c, {@code for_each_possible_cpu}), unlike
 * {@code /proc/interrupts}; callers align by id with {@link CpuColumns#align}. Other rows are only checked for
 * their label, since parsing numbers nobody reads would be wasted work.
 */
public final class SoftirqsParser {

    private SoftirqsParser() {
    }

    public static SoftirqsParse parse(CharSequence file) throws MalformedFileException {
        AsciiBytes bytes = AsciiBytes.of(file);
        byte[] text = bytes.bytes();
        int length = bytes.length();
        int pos = 0;
        int[] cpus = null;
        while (pos < length && cpus == null) {
            int end = Scan.lineEnd(text, pos, length);
            int start = Scan.skipSpaces(text, pos, end);
            pos = end + 1;
            if (start < end) {
                try {
                    cpus = CpuColumns.header(text, start, end);
                } catch (MalformedFileException e) {
                    throw new MalformedFileException("the first line is no CPU header: " + e.getMessage());
                }
            }
        }
        if (cpus == null) {
            throw new MalformedFileException("the file is empty: no CPU header");
        }
        long[] netRx = null;
        long[] netTx = null;
        int malformed = 0;
        while (pos < length) {
            int end = Scan.lineEnd(text, pos, length);
            int labelStart = Scan.skipSpaces(text, pos, end);
            pos = end + 1;
            if (labelStart == end) {
                continue;
            }
            int colon = Scan.indexOf(text, ':', labelStart, Scan.tokenEnd(text, labelStart, end));
            if (colon <= labelStart) {
                malformed++;
                continue;
            }
            boolean rx = Scan.regionEquals(text, labelStart, colon, "NET_RX");
            if (!rx && !Scan.regionEquals(text, labelStart, colon, "NET_TX")) {
                continue;
            }
            long[] counts = counts(text, colon + 1, end, cpus.length);
            if (counts == null) {
                malformed++;
            } else if (rx) {
                netRx = counts;
            } else {
                netTx = counts;
            }
        }
        return new SoftirqsParse(cpus, netRx, netTx, malformed);
    }

    /** Exactly {@code n} decimal counts from {@code from}, or null if there are fewer or one is not a number. */
    private static long[] counts(byte[] text, int from, int end, int n) {
        long[] counts = new long[n];
        return Scan.decimals(text, from, end, counts) < 0 ? null : counts;
    }
}
