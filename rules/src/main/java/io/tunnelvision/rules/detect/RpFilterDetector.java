package io.tunnelvision.rules.detect;

import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Strict reverse-path filtering ({@code rp_filter=1}) on a forwarding host. The kernel uses the larger of
 * {@code conf.all} and {@code conf.<if>}, so an interface is strict when either is 1 and neither is 2. On a
 * gateway with more than one path, strict mode silently drops every packet that arrives on another interface
 * than the one its source would be routed out of: a warning with two or more IPv4 uplinks, worth knowing with one.
 *
 * <p>Whether the host forwards and how many uplinks it has are not in any sample yet, so the caller passes them
 * (the doctor reads them from /proc); the fleet can run this once the kernel sample carries them.
 */
public final class RpFilterDetector {

    public static final int STRICT = 1;
    public static final int LOOSE = 2;
    static final String TARGET = "rp_filter";

    public List<Finding> evaluate(KernelSettingsSample kernel, boolean forwarding, int ipv4Uplinks) {
        if (kernel == null || !forwarding) {
            return List.of();
        }
        List<String> strict = strictInterfaces(kernel.getRpFilter());
        Map<String, Double> evidence = Map.of("strictInterfaces", (double) strict.size(),
                "all", (double) kernel.getRpFilter().getOrDefault("all", 0), "uplinks", (double) ipv4Uplinks);
        if (strict.isEmpty()) {
            return List.of(Finding.good(HotspotType.RP_FILTER_STRICT, TARGET, 0, evidence));
        }
        Severity severity = ipv4Uplinks >= 2 ? Severity.WARNING : Severity.INFO;
        return List.of(new Finding(HotspotType.RP_FILTER_STRICT, TARGET, true, severity, strict.size(), evidence,
                "strict reverse-path filtering on " + String.join(", ", strict) + " of a forwarding host"));
    }

    /** Interfaces (not all, default or lo) whose effective rp_filter is strict, in the sample's order. */
    public static List<String> strictInterfaces(Map<String, Integer> filters) {
        int all = filters.getOrDefault("all", 0);
        List<String> strict = new ArrayList<>();
        for (Map.Entry<String, Integer> e : filters.entrySet()) {
            String name = e.getKey();
            if (!name.equals("all") && !name.equals("default") && !name.equals("lo")
                    && Math.max(all, e.getValue()) == STRICT) {
                strict.add(name);
            }
        }
        return strict;
    }
}
