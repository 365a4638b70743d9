package io.tunnelvision.agent.collect;

import java.util.Map;

/**
 * Counters of {@code /proc/net/snmp} by group and name, e.g. {@code get("Udp", "RcvbufErrors")}.
 *
 * @param values keyed {@code Group.Name}
 * @param malformedLines values lines skipped because they could not be matched to names
 */
public record SnmpCounters(Map<String, Long> values, int malformedLines) {

    public SnmpCounters {
        values = Map.copyOf(values);
    }

    /** The counter, or null when this kernel does not have it. */
    public Long get(String group, String name) {
        return values.get(group + "." + name);
    }
}
