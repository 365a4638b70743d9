package io.tunnelvision.lab;

import java.util.HashMap;
import java.util.Map;

/** The {@code Ip:} header and value lines of {@code /proc/net/snmp} as a map. */
final class Snmp {

    private Snmp() {
    }

    static Map<String, Long> ipCounters(String snmp) {
        String names = null;
        for (String line : snmp.split("\n")) {
            if (!line.startsWith("Ip: ")) {
                continue;
            }
            if (names == null) {
                names = line;
                continue;
            }
            String[] keys = names.substring(4).trim().split("\\s+");
            String[] values = line.substring(4).trim().split("\\s+");
            Map<String, Long> counters = new HashMap<>();
            for (int i = 0; i < keys.length && i < values.length; i++) {
                counters.put(keys[i], Long.parseLong(values[i]));
            }
            return counters;
        }
        throw new IllegalArgumentException("no Ip: lines in /proc/net/snmp");
    }
}
