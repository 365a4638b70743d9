package io.tunnelvision.rules.detect;

import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.PmtuPath;
import io.tunnelvision.schemas.avro.PmtuSample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A path-MTU black hole on a tunnel: a don't-fragment probe of the tunnel's own MTU (or of any size above the
 * largest that passed) vanished through the tunnel, and no ICMP "fragmentation needed" / "packet too big" came
 * back for it (the kernel has no route exception for the peer: {@code reportedMtu} null). The tunnel then promises
 * packets the path cannot carry and nobody tells the senders: TCP stalls on its first full-sized segment. When a
 * router did report the path MTU, path-MTU discovery works and there is no black hole, whatever the sizes.
 *
 * <p>One finding per tunnel interface (the target, as {@link MtuMismatchDetector}'s), over its peers' paths: bad when
 * one path is black-holed, with the smallest largest-passed size among them as the effective MTU. Metric: the
 * tunnel's MTU less that size in bytes (0 for a tunnel without a black hole). A path of which not even the floor
 * passed tells nothing about the MTU (the peer is unreachable, or the prober could not send): a tunnel with only
 * such paths gets no finding.
 *
 * <p>Remedy ({@code recommendedMtu}, what the planner's MTU change reads): the effective size less
 * {@code pmtuMarginBytes}, not below 1280 when a path's overlay is IPv6 (IPv6's minimum MTU) or 576 for IPv4; when
 * the effective size is below that floor no MTU is recommended (clamp TCP's MSS or fix the path instead).
 */
public final class PmtuBlackholeDetector {

    static final int IPV4_FLOOR = 576;
    static final int IPV6_FLOOR = 1280;

    private final int marginBytes;

    public PmtuBlackholeDetector(DetectionThresholds thresholds) {
        this.marginBytes = thresholds.pmtuMarginBytes();
    }

    /** Whether one path is black-holed: something at or below the tunnel's MTU failed, after a size passed, unreported. */
    public static boolean blackholed(PmtuPath path) {
        return path.getLargestPassedBytes() != null && path.getSmallestFailedBytes() != null
                && path.getSmallestFailedBytes() <= path.getTunnelMtu() && path.getReportedMtu() == null;
    }

    /** The MTU the tunnel should have for a path whose largest passing size is {@code effective}, or null for none. */
    public Integer recommendedMtu(int effective, boolean ipv6) {
        int floor = ipv6 ? IPV6_FLOOR : IPV4_FLOOR;
        int mtu = effective - marginBytes;
        return mtu >= floor ? mtu : null;
    }

    public List<Finding> evaluate(PmtuSample sample) {
        List<Finding> findings = new ArrayList<>();
        if (sample == null) {
            return findings;
        }
        Map<String, List<PmtuPath>> byTunnel = new LinkedHashMap<>();
        for (PmtuPath path : sample.getPaths()) {
            if (path.getTunnelInterface() != null && path.getLargestPassedBytes() != null) {
                byTunnel.computeIfAbsent(path.getTunnelInterface(), k -> new ArrayList<>()).add(path);
            }
        }
        for (Map.Entry<String, List<PmtuPath>> e : byTunnel.entrySet()) {
            findings.add(evaluate(e.getKey(), e.getValue()));
        }
        return findings;
    }

    private Finding evaluate(String tunnel, List<PmtuPath> paths) {
        PmtuPath worst = null;
        boolean ipv6 = false;
        Integer reported = null;
        for (PmtuPath p : paths) {
            ipv6 |= p.getAddress().contains(":") && !p.getAddress().matches("[^:]*:\\d+");
            if (p.getReportedMtu() != null && (reported == null || p.getReportedMtu() < reported)) {
                reported = p.getReportedMtu();
            }
            if (blackholed(p) && (worst == null || p.getLargestPassedBytes() < worst.getLargestPassedBytes())) {
                worst = p;
            }
        }
        Map<String, Double> evidence = new HashMap<>();
        evidence.put("tunnelMtu", (double) paths.get(0).getTunnelMtu());
        evidence.put("paths", (double) paths.size());
        evidence.put("effectiveMtu", (double) paths.stream().mapToInt(PmtuPath::getLargestPassedBytes).min()
                .orElseThrow());
        if (reported != null) {
            evidence.put("reportedMtu", (double) reported);
        }
        if (worst == null) {
            return Finding.good(HotspotType.PMTU_BLACKHOLE, tunnel, 0, evidence);
        }
        int effective = worst.getLargestPassedBytes();
        int gap = worst.getTunnelMtu() - effective;
        evidence.put("tunnelMtu", (double) worst.getTunnelMtu());
        evidence.put("effectiveMtu", (double) effective);
        evidence.put("smallestFailedBytes", (double) worst.getSmallestFailedBytes());
        Integer recommended = recommendedMtu(effective, ipv6);
        if (recommended != null) {
            evidence.put("recommendedMtu", (double) recommended);
        }
        String remedy = recommended != null
                ? String.format(Locale.ROOT, "an MTU of %d (%d less a margin of %d bytes) fits", recommended,
                        effective, marginBytes)
                : String.format(Locale.ROOT, "that is below the %d bytes every %s path must carry: clamp TCP's MSS "
                        + "or fix the path", ipv6 ? IPV6_FLOOR : IPV4_FLOOR, ipv6 ? "IPv6" : "IPv4");
        String summary = String.format(Locale.ROOT, "%s: don't-fragment packets of %d bytes and more vanish on the "
                        + "way to peer %s (%s) while the tunnel's MTU is %d, and no ICMP 'fragmentation needed' came "
                        + "back: a path-MTU black hole; %d bytes pass, %s", tunnel, worst.getSmallestFailedBytes(),
                worst.getPeer(), worst.getAddress(), worst.getTunnelMtu(), effective, remedy);
        return Finding.bad(HotspotType.PMTU_BLACKHOLE, tunnel, gap, marginBytes, evidence, summary);
    }
}
