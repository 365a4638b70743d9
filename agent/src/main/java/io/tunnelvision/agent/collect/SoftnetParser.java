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

    private SoftnetParser() {
    }

    public static SoftnetParse parse(CharSequence text) {
        List<long[]> lines = new ArrayList<>();
        List<Integer> rows = new ArrayList<>();
        int[] linesWithColumns = new int[KNOWN_COLUMNS + 2]; // how many lines have each column count
        int malformed = 0;
        int length = text.length();
        int pos = 0;
        int row = 0;
        while (pos < length) {
            int end = Scan.lineEnd(text, pos, length);
            int start = Scan.skipSpaces(text, pos, end);
            pos = end + 1;
            if (start == end) {
                continue;
            }
            long[] columns = columns(text, start, end);
            if (columns == null) {
                malformed++;
            } else {
                lines.add(columns);
                rows.add(row);
                linesWithColumns[Math.min(columns.length, KNOWN_COLUMNS + 1)]++;
            }
            row++;
        }
        int expected = mostCommonColumnCount(linesWithColumns);
        List<SoftnetCpu> cpus = new ArrayList<>(lines.size());
        for (int k = 0; k < lines.size(); k++) {
            long[] c = lines.get(k);
            if (c.length < expected) {
                malformed++;
                continue;
            }
            cpus.add(new SoftnetCpu(rows.get(k), c.length > CPU_INDEX ? (int) c[CPU_INDEX] : null, c[0], c[1], c[2],
                    optional(c, RECEIVED_RPS), optional(c, FLOW_LIMIT_COUNT), optional(c, BACKLOG_LEN)));
        }
        return new SoftnetParse(cpus, malformed);
    }

    /** The known columns of one line (at most fifteen), or null if it is too short or not hex. */
    private static long[] columns(CharSequence text, int start, int end) {
        long[] values = new long[KNOWN_COLUMNS + 1];
        int count = 0;
        int i = start;
        while (i < end) {
            int tokenEnd = Scan.tokenEnd(text, i, end);
            long value = Scan.hex(text, i, tokenEnd);
            if (value < 0) {
                return null;
            }
            if (count < values.length) {
                values[count] = value;
            }
            count++;
            i = Scan.skipSpaces(text, tokenEnd, end);
        }
        if (count < MIN_COLUMNS) {
            return null;
        }
        // The 16th slot only marks "more than fifteen" for the column statistics; its value is never read.
        return Arrays.copyOf(values, Math.min(count, values.length));
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

    private static Long optional(long[] columns, int index) {
        return columns.length > index ? columns[index] : null;
    }
}
