package io.tunnelvision.agent.collect;

import java.util.Arrays;

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
 *
 * <p>The parse is pure and its result primitive ({@link SoftnetTable}: the columns of every kept line in one
 * {@code long[]}); making the Avro records is a separate step ({@link SoftnetRecords}), whose boxed nullable
 * fields cost more than the parse itself on a big host. Lines printed as the kernel prints them ({@code %08x}
 * tokens separated by one space) are read eight digits at a time; any other token takes the general path.
 */
public final class SoftnetParser {

    private static final int MIN_COLUMNS = 9;

    private SoftnetParser() {
    }

    public static SoftnetTable parse(CharSequence file) {
        AsciiBytes bytes = AsciiBytes.of(file);
        byte[] text = bytes.bytes();
        int length = bytes.length();
        // Every readable line's columns in one flat table, SLOTS per line: no array or boxed number per line.
        // The kernel's lines are 117 bytes (13 columns) to 135 (15): room for all of them without growing.
        Lines lines = new Lines(Math.max(16, length / 110));
        int[] linesWithColumns = new int[SoftnetTable.KNOWN_COLUMNS + 2]; // how many lines have each column count
        int malformed = 0;
        int pos = 0;
        int row = 0;
        // One pass: each line's tokens are read up to its newline, which is thereby found without a scan of its own.
        while (pos < length) {
            int start = Scan.skipSpaces(text, pos, length);
            if (start < length && text[start] == '\n') {
                pos = start + 1; // a blank line
                continue;
            }
            if (start == length) {
                break;
            }
            int columns = lines.add(row, text, start, length);
            if (columns < 0) {
                malformed++;
            } else {
                linesWithColumns[columns]++;
            }
            pos = lines.lineEnd + 1;
            row++;
        }
        int expected = mostCommonColumnCount(linesWithColumns);
        malformed += lines.dropShorterThan(expected);
        return new SoftnetTable(lines.count, lines.rows, lines.columns, lines.values, malformed);
    }

    /** The readable lines: their row numbers, column counts (at most SLOTS) and values. */
    private static final class Lines {
        private static final int SLOTS = SoftnetTable.SLOTS;
        int count;
        int[] rows;
        int[] columns;
        long[] values;

        Lines(int capacity) {
            rows = new int[capacity];
            columns = new int[capacity];
            values = new long[capacity * SLOTS];
        }

        /** Where the line that {@link #add} read ends: its newline, or the end of the file. */
        int lineEnd;

        /**
         * Reads the line that starts at {@code start} (not a space) up to its newline; returns its column count (at
         * most SLOTS), or -1 if it is too short or not hex. Either way {@link #lineEnd} is set.
         */
        int add(int row, byte[] text, int start, int length) {
            if (count == rows.length) {
                rows = Arrays.copyOf(rows, count * 2);
                columns = Arrays.copyOf(columns, count * 2);
                values = Arrays.copyOf(values, count * 2 * SLOTS);
            }
            int at = count * SLOTS;
            int n = 0;
            int i = start;
            while (i < length && text[i] != '\n') {
                // The kernel prints %08x; anything else (a longer or shorter token) takes the general path.
                int tokenEnd = i + 8;
                long value = tokenEnd <= length
                        && (tokenEnd == length || text[tokenEnd] == '\n' || Scan.isSpace(text[tokenEnd]))
                        ? Scan.hex8(text, i) : Scan.NOT_A_NUMBER;
                if (value < 0) {
                    tokenEnd = Scan.tokenEnd(text, i, length);
                    value = Scan.hex(text, i, tokenEnd);
                    if (value < 0) {
                        lineEnd = Scan.lineEnd(text, tokenEnd, length);
                        return -1;
                    }
                }
                if (n < SLOTS) {
                    values[at + n] = value;
                }
                n++;
                // One space between tokens as the kernel prints them; more (or tabs) take the general skip.
                i = tokenEnd + 1 < length && text[tokenEnd] == ' ' && text[tokenEnd + 1] > ' '
                        ? tokenEnd + 1 : Scan.skipSpaces(text, tokenEnd, length);
            }
            lineEnd = i;
            if (n < MIN_COLUMNS) {
                return -1;
            }
            rows[count] = row;
            columns[count] = Math.min(n, SLOTS);
            count++;
            return Math.min(n, SLOTS);
        }

        /** Removes the lines with fewer than {@code expected} columns (cut off); returns how many. */
        int dropShorterThan(int expected) {
            int kept = 0;
            for (int k = 0; k < count; k++) {
                if (columns[k] < expected) {
                    continue;
                }
                if (kept != k) {
                    rows[kept] = rows[k];
                    columns[kept] = columns[k];
                    System.arraycopy(values, k * SLOTS, values, kept * SLOTS, SLOTS);
                }
                kept++;
            }
            int dropped = count - kept;
            count = kept;
            return dropped;
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
}
