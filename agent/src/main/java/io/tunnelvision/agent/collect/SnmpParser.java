package io.tunnelvision.agent.collect;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses {@code /proc/net/snmp}: pairs of lines, the first naming the counters of a group, the second giving
 * their values.
 *
 * <pre>
 * Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
 * Udp: 39 0 0 40 0 0 0 0 0
 * </pre>
 * Which counters a group has depends on the kernel (SndbufErrors came in 2.6.22, MemErrors in 5.x), so values
 * are found by name, never by position. A values line whose count differs from its names line, that has no
 * names line before it, or that holds a non-number is skipped as malformed, and so is a names line that no
 * values line follows (a cut file). Values can be
 * negative (Tcp MaxConn is -1).
 */
public final class SnmpParser {

    private SnmpParser() {
    }

    public static SnmpCounters parse(CharSequence text) {
        Map<String, Long> values = new HashMap<>();
        int malformed = 0;
        String pendingGroup = null;
        List<String> pendingNames = null;
        int length = text.length();
        int pos = 0;
        while (pos < length) {
            int end = Scan.lineEnd(text, pos, length);
            int start = Scan.skipSpaces(text, pos, end);
            pos = end + 1;
            if (start == end) {
                continue;
            }
            int groupEnd = Scan.tokenEnd(text, start, end);
            if (text.charAt(groupEnd - 1) != ':' || groupEnd - 1 == start) {
                malformed++;
                continue;
            }
            String group = Scan.string(text, start, groupEnd - 1);
            List<String> tokens = tokens(text, groupEnd, end);
            if (tokens.isEmpty() || !isValue(tokens.get(0))) {
                if (pendingGroup != null) {
                    malformed++; // the previous names line got no values line
                }
                pendingGroup = group;
                pendingNames = tokens;
                continue;
            }
            if (!group.equals(pendingGroup) || tokens.size() != pendingNames.size() || !putAll(values, group,
                    pendingNames, tokens)) {
                malformed++;
            }
            pendingGroup = null;
        }
        if (pendingGroup != null) {
            malformed++; // a cut file: names without values
        }
        return new SnmpCounters(values, malformed);
    }

    private static List<String> tokens(CharSequence text, int from, int end) {
        List<String> tokens = new ArrayList<>();
        int i = Scan.skipSpaces(text, from, end);
        while (i < end) {
            int tokenEnd = Scan.tokenEnd(text, i, end);
            tokens.add(Scan.string(text, i, tokenEnd));
            i = Scan.skipSpaces(text, tokenEnd, end);
        }
        return tokens;
    }

    private static boolean isValue(String token) {
        char first = token.charAt(0);
        return (first >= '0' && first <= '9') || (first == '-' && token.length() > 1);
    }

    /** Puts the whole group or, if one value is not a number, nothing. */
    private static boolean putAll(Map<String, Long> into, String group, List<String> names, List<String> values) {
        long[] parsed = new long[values.size()];
        for (int k = 0; k < parsed.length; k++) {
            try {
                parsed[k] = Long.parseLong(values.get(k));
            } catch (NumberFormatException e) {
                return false;
            }
        }
        for (int k = 0; k < parsed.length; k++) {
            into.put(group + "." + names.get(k), parsed[k]);
        }
        return true;
    }
}
