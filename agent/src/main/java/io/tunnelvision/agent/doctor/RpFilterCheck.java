package io.tunnelvision.agent.doctor;

import io.tunnelvision.schemas.avro.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Strict reverse-path filtering ({@code rp_filter=1}) on a forwarding host. The kernel uses the larger of
 * {@code conf.all} and {@code conf.<if>}, so an interface is strict when either is 1 and neither is 2.
 *
 * <p>The manual recommends 1 for anti-spoofing; on a gateway with more than one path (two uplinks, or tunnels
 * that carry return traffic of routes learned elsewhere) strict mode silently drops every packet that arrives on
 * another interface than the one its source would be routed out of: asymmetric flows stall and retransmit.
 * Loose mode (2) still drops sources with no route at all.
 */
final class RpFilterCheck implements Check {

    static final int STRICT = 1;
    static final int LOOSE = 2;
    private static final String ALL = "all";
    private static final String DEFAULT = "default";

    @Override
    public String name() {
        return "rp-filter";
    }

    @Override
    public List<Finding> examine(HostInterval interval) {
        if (!Boolean.TRUE.equals(interval.facts().ipForwarding())) {
            return List.of();
        }
        Map<String, Integer> filters = interval.kernel().getRpFilter();
        int all = filters.getOrDefault(ALL, 0);
        List<String> strict = new ArrayList<>();
        for (Map.Entry<String, Integer> e : filters.entrySet()) {
            String name = e.getKey();
            if (name.equals(ALL) || name.equals(DEFAULT) || name.equals("lo")) {
                continue;
            }
            if (Math.max(all, e.getValue()) == STRICT) {
                strict.add(name);
            }
        }
        if (strict.isEmpty()) {
            return List.of();
        }
        TreeSet<String> uplinks = new TreeSet<>();
        for (DefaultRoute r : interval.facts().defaultRoutes()) {
            if (!r.ipv6()) {
                uplinks.add(r.iface());
            }
        }
        boolean multiPath = uplinks.size() >= 2;
        List<String> fix = new ArrayList<>();
        if (all == STRICT) {
            fix.add("sysctl -w net.ipv4.conf.all.rp_filter=" + LOOSE);
        }
        if (filters.getOrDefault(DEFAULT, 0) == STRICT) {
            fix.add("sysctl -w net.ipv4.conf.default.rp_filter=" + LOOSE);
        }
        for (String name : strict) {
            if (filters.get(name) == STRICT) {
                // sysctl names use '/' for a dot inside an interface name (eth0.100 -> eth0/100)
                fix.add("sysctl -w net.ipv4.conf." + name.replace('.', '/') + ".rp_filter=" + LOOSE);
            }
        }
        String seen = "ip_forward 1; rp_filter all=" + all + ", default=" + filters.getOrDefault(DEFAULT, 0)
                + "; strict on " + String.join(", ", strict) + "; IPv4 default routes via "
                + (uplinks.isEmpty() ? "none" : String.join(", ", uplinks));
        String why = "Strict reverse-path filtering drops a packet whose source this host would route out of another "
                + "interface than the one it came in on, silently (only TcpExt IPReversePathFilter counts it). "
                + (multiPath ? "This gateway has " + uplinks.size() + " default routes, so return traffic can "
                        + "arrive on the other uplink or a tunnel: those packets are dropped and the flows stall "
                        + "until retransmit. "
                        : "This host forwards; with tunnels carrying routes learned elsewhere, asymmetric return "
                                + "paths are dropped the same way. ")
                + "Loose mode (2) keeps most of the anti-spoofing the manual wants (sources with no route at all "
                + "are still dropped) without breaking multi-path routing.";
        return List.of(new Finding(name(), multiPath ? Severity.WARNING : Severity.INFO, "rp_filter", seen, why,
                String.join("\n", fix)));
    }
}
