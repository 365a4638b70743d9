package io.tunnelvision.agent.collect;

import io.tunnelvision.schemas.avro.LinkCounters;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses {@code /proc/net/dev}, the fallback for link counters when sysfs has no statistics directory.
 *
 * <pre>
 * Inter-|   Receive                                                |  Transmit
 *  face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
 *     lo:   68078     594    0    0    0     0          0         0    68078     594    0    0    0     0       0          0
 * vxlan100:    0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
 * </pre>
 * The name is printed right-aligned in six characters, so longer names start at the left margin, and old
 * kernels glued the first number to the colon ({@code eth0:123456789}). A name cannot contain a colon
 * (dev_valid_name), so the first colon ends it. Columns after the sixteenth are ignored.
 *
 * <p>The kernel folds some counters together here (dev_seq_printf_stats): {@code drop} is rx_dropped plus
 * rx_missed_errors, {@code frame} is length, over, CRC and frame errors together, {@code carrier} adds aborted,
 * window and heartbeat errors. There is no separate overrun count, so {@code rxOverErrors} is 0 from this
 * source and the overruns are inside {@code rxFrameErrors}.
 */
public final class ProcNetDevParser {

    private static final int COLUMNS = 16;

    private ProcNetDevParser() {
    }

    public static LinkParse parse(CharSequence text) {
        List<LinkCounters> interfaces = new ArrayList<>();
        int malformed = 0;
        long[] v = new long[COLUMNS];
        int length = text.length();
        int pos = 0;
        while (pos < length) {
            int end = Scan.lineEnd(text, pos, length);
            int start = Scan.skipSpaces(text, pos, end);
            pos = end + 1;
            if (start == end || Scan.indexOf(text, '|', start, end) >= 0) {
                continue; // blank, or one of the two header lines
            }
            int colon = Scan.indexOf(text, ':', start, end);
            if (colon <= start || Scan.tokenEnd(text, start, colon) != colon || !readColumns(text, colon + 1, end, v)) {
                malformed++;
                continue;
            }
            interfaces.add(new LinkCounters(Scan.string(text, start, colon),
                    v[0], v[1], v[2], v[3], v[4], 0L, v[5], // rx: bytes packets errs drop fifo (over) frame
                    v[8], v[9], v[10], v[11], v[12], v[14])); // tx: bytes packets errs drop fifo carrier
        }
        return new LinkParse(interfaces, malformed);
    }

    private static boolean readColumns(CharSequence text, int from, int end, long[] into) {
        int i = from;
        for (int column = 0; column < into.length; column++) {
            int tokenStart = Scan.skipSpaces(text, i, end);
            int tokenEnd = Scan.tokenEnd(text, tokenStart, end);
            long value = Scan.decimal(text, tokenStart, tokenEnd);
            if (value < 0) {
                return false;
            }
            into[column] = value;
            i = tokenEnd;
        }
        return true;
    }
}
