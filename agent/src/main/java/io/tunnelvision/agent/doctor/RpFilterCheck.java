package io.tunnelvision.agent.doctor;

import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.detect.RpFilterDetector;
import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.schemas.avro.HotspotType;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Strict reverse-path filtering ({@code rp_filter=1}) on a forwarding host. The manual recommends 1 for
 * anti-spoofing; on a gateway with more than one path strict mode silently drops every packet that arrives on
 * another interface than the one its source would be routed out of. The rules never change rp_filter (it is a
 * security setting), so the doctor runs nothing: it says what loose mode would be.
 */
final class RpFilterCheck implements Check {

    @Override
    public String name() {
        return "rp-filter";
    }

    @Override
    public Set<HotspotType> types() {
        return Set.of(HotspotType.RP_FILTER_STRICT);
    }

    @Override
    public String seen(Finding f, HostInterval interval) {
        Map<String, Integer> filters = interval.kernel().getRpFilter();
        TreeSet<String> uplinks = interval.ipv4Uplinks();
        return "ip_forward 1; rp_filter all=" + filters.getOrDefault("all", 0) + ", default="
                + filters.getOrDefault("default", 0) + "; strict on "
                + String.join(", ", RpFilterDetector.strictInterfaces(filters)) + "; IPv4 default routes via "
                + (uplinks.isEmpty() ? "none" : String.join(", ", uplinks));
    }

    @Override
    public String why(Finding f, List<Change> changes, HostInterval interval) {
        int uplinks = interval.ipv4Uplinks().size();
        return "Strict reverse-path filtering drops a packet whose source this host would route out of another "
                + "interface than the one it came in on, silently (only TcpExt IPReversePathFilter counts it). "
                + (uplinks >= 2 ? "This gateway has " + uplinks + " default routes, so return traffic can arrive on "
                        + "the other uplink or a tunnel: those packets are dropped and the flows stall until "
                        + "retransmit. "
                        : "This host forwards; with tunnels carrying routes learned elsewhere, asymmetric return "
                                + "paths are dropped the same way. ")
                + "Loose mode (" + RpFilterDetector.LOOSE + ") keeps most of the anti-spoofing the manual wants "
                + "(sources with no route at all are still dropped) without breaking multi-path routing: "
                + "sysctl -w net.ipv4.conf.all.rp_filter=" + RpFilterDetector.LOOSE + " and the same for each strict "
                + "interface. The rules leave this security setting to a person, so the doctor runs nothing.";
    }
}
