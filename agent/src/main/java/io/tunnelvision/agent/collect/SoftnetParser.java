package io.tunnelvision.agent.collect;

import io.tunnelvision.schemas.avro.SoftnetCpu;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parses {@code /proc/net/softnet_stat}: one line per online CPU, every column a 32-bit counter in hex.
 *
 * <p>Columns as {@code softnet_seq_show()} in net/core/net-procfs.c prints them (1-based), and the kernel
 * that added each one:
 * <ol>
 *   <li>processed: packets taken off the backlog by net_rx_action</li>
 *   <li>dropped: packets dropped because the backlog was full (net.core.netdev_max_backlog)</li>
 *   <li>time_squeeze: net_rx_action stopped with work left (netdev_budget or netdev_budget_usecs ran out)</li>
 *   <li>columns 4 to 8: always 0 (were the fastroute counters)</li>
 *   <li>column 9: always 0 (was cpu_collision)</li>
 *   <li>received_rps: RPS IPIs this CPU received (2.6.35)</li>
 *   <li>flow_limit_count: packets dropped by the flow limit (3.11)</li>
 *   <li>backlog length: input plus process queue, now (5.10)</li>
 *   <li>CPU index (5.10)</li>
 *   <li>input_pkt_queue length (6.x)</li>
 *   <li>process_queue length (6.x)</li>
 * </ol>
 * Offline CPUs have no line, so before 5.10 (fewer than 13 columns) the line number is the CPU id only when no
 * CPU is offline; {@link SoftnetCpu#getCpu()} is then null. Columns after the known fifteen are ignored: a
 * newer kernel adding one must not make the file unreadable.
 *
 * <p>Every line of one file has the same number of columns. A line with fewer columns than most lines was cut
 * off, and its last number may be cut too, so it is skipped as malformed, as is any line under nine columns
 * or with a token that is not hex.
 */
public final class SoftnetParser {

    private static final int MIN_COLUMNS = 9;
    private static final int RECEIVED_RPS = 9;
    private static final int FLOW_LIMIT_COUNT = 10;
    private static final int BACKLOG_LEN = 11;
    private static final int CPU_INDEX = 12;
    private static final int KNOWN_COLUMNS = 15;
    // One slot more than the known columns: it only marks "more than fifteen" for the column statistics.
    private static final int SLOTS = KNOWN_COLUMNS + 1;

    private SoftnetParser() {
    }

    public static SoftnetParse parse(CharSequence file) {
        AsciiBytes bytes = AsciiBytes.of(file);
        byte[] text = bytes.bytes();
        int length = bytes.length();
        // Every readable line's columns in one flat table, SLOTS per line: no array or boxed row number per line
        // until the records are made, since a 480-CPU host has 480 lines and the read itself takes microseconds.
        Lines lines = new Lines();
        int[] linesWithColumns = new int[KNOWN_COLUMNS + 2]; // how many lines have each column count
        int malformed = 0;
        int pos = 0;
        int row = 0;
        while (pos < length) {
            int end = Scan.lineEnd(text, pos, length);
            int start = Scan.skipSpaces(text, pos, end);
            pos = end + 1;
            if (start == end) {
                continue;
            }
            int columns = lines.add(row, text, start, end);
            if (columns < 0) {
                malformed++;
            } else {
                linesWithColumns[Math.min(columns, KNOWN_COLUMNS + 1)]++;
            }
            row++;
        }
        int expected = mostCommonColumnCount(linesWithColumns);
        List<SoftnetCpu> cpus = new ArrayList<>(lines.count);
        for (int k = 0; k < lines.count; k++) {
            int n = lines.columns[k];
            if (n < expected) {
                malformed++;
                continue;
            }
            int at = k * SLOTS;
            long[] c = lines.values;
            cpus.add(new SoftnetCpu(lines.rows[k], n > CPU_INDEX ? (int) c[at + CPU_INDEX] : null, c[at], c[at + 1],
                    c[at + 2], optional(c, at, n, RECEIVED_RPS), optional(c, at, n, FLOW_LIMIT_COUNT),
                    optional(c, at, n, BACKLOG_LEN)));
        }
        return new SoftnetParse(cpus, malformed);
    }

    /** The readable lines: their row numbers, column counts (at most SLOTS) and values. */
    private static final class Lines {
        int count;
        int[] rows = new int[64];
        int[] columns = new int[64];
        long[] values = new long[64 * SLOTS];

        /** Reads one line; returns its column count (at most SLOTS), or -1 if it is too short or not hex. */
        int add(int row, byte[] text, int start, int end) {
            if (count == rows.length) {
                rows = Arrays.copyOf(rows, count * 2);
                columns = Arrays.copyOf(columns, count * 2);
                values = Arrays.copyOf(values, count * 2 * SLOTS);
            }
            int at = count * SLOTS;
            int n = 0;
            int i = start;
            while (i < end) {
                // The kernel prints %08x; anything else (a longer or shorter token) takes the general path.
                int tokenEnd = i + 8;
                long value = tokenEnd <= end && (tokenEnd == end || Scan.isSpace(text[tokenEnd]))
                        ? Scan.hex8(text, i) : Scan.NOT_A_NUMBER;
                if (value < 0) {
                    tokenEnd = Scan.tokenEnd(text, i, end);
                    value = Scan.hex(text, i, tokenEnd);
                }
                if (value < 0) {
                    return -1;
                }
                if (n < SLOTS) {
                    values[at + n] = value;
                }
                n++;
                i = Scan.skipSpaces(text, tokenEnd, end);
            }
            if (n < MIN_COLUMNS) {
                return -1;
            }
            rows[count] = row;
            columns[count] = Math.min(n, SLOTS);
            count++;
            return Math.min(n, SLOTS);
        }
    }

    /** The column count most lines have; on a tie the larger, since a cut line only ever loses columns. */
    private static int mostCommonColumnCount(int[] linesWithColumns) {
        int best = 0;
        for (int columns = 0; columns < linesWithColumns.length; columns++) {
            if (linesWithColumns[columns] > 0 && linesWithColumns[columns] >= linesWithColumns[best]) {
                best = columns;
            }
        }
        return best;
    }

    private static Long optional(long[] values, int at, int columns, int index) {
        return columns > index ? values[at + index] : null;
    }
}
