package io.tunnelvision.rules.detect;

import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.KernelRates;
import io.tunnelvision.schemas.avro.LatencySample;
import io.tunnelvision.schemas.avro.LinkRate;
import io.tunnelvision.schemas.avro.LinkRates;
import io.tunnelvision.schemas.avro.PeerLatency;
import io.tunnelvision.schemas.avro.ProbePath;
import io.tunnelvision.schemas.avro.ProbeStats;
import io.tunnelvision.rules.detect.Encapsulation.Family;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A tunnel whose MTU plus its encapsulation overhead exceeds its underlay's MTU, so its big packets fragment.
 * The configuration alone only makes it a suspect; the interval is bad when rising fragmentation counters, lost
 * large probes (while small ones get through) or large probes much slower through the tunnel than around it
 * confirm it. The probes' round trips over both paths go into the evidence.
 *
 * <p>Without probes (a WireGuard or OpenVPN gateway whose peers run no agent) the fragment counters alone confirm
 * it. They are the host's ({@code Ip: FragCreates} and {@code ReasmReqds} of {@code /proc/net/snmp}, IPv4 only,
 * through the kernel-settings sample's rates), so they count for a tunnel only while its own traffic could explain
 * them: each fragmented packet makes at least two fragments, so the tunnel must carry at least half the
 * threshold's fragments per second in packets (rx + tx of its latest link rates). A too-big tunnel that carries
 * nothing stays a suspect, whatever else on the host fragments. Without link rates the counters count as before.
 */
public final class MtuMismatchDetector {

    /** Large probes through the tunnel this much slower than around it (relative and absolute) confirm a mismatch. */
    static final double GAP_FACTOR = 1.5;
    static final double GAP_MIN_US = 1_000;

    private final DetectionThresholds thresholds;

    public MtuMismatchDetector(DetectionThresholds thresholds) {
        this.thresholds = thresholds;
    }

    public List<Finding> evaluate(InterfaceConfigSample config, KernelRates kernel, LatencySample latency) {
        return evaluate(config, kernel, latency, null);
    }

    /** @param links the host's latest link rates, or null: the tunnels' own traffic (see the class comment) */
    public List<Finding> evaluate(InterfaceConfigSample config, KernelRates kernel, LatencySample latency,
                                  LinkRates links) {
        double fragments = value(kernel == null ? null : kernel.getIpFragCreatesPerSec())
                + value(kernel == null ? null : kernel.getIpReasmReqdsPerSec());
        List<Finding> findings = new ArrayList<>();
        for (InterfaceConfig tunnel : Tunnels.tunnels(config)) {
            Optional<InterfaceConfig> underlay = Tunnels.find(config, tunnel.getUnderlay());
            if (tunnel.getUnderlay() == null || underlay.isEmpty()) {
                continue;
            }
            Family family = family(latency, tunnel.getName());
            OptionalInt overhead = Encapsulation.overhead(tunnel.getKind(), family);
            if (overhead.isEmpty()) {
                continue;
            }
            int underlayMtu = underlay.get().getMtu();
            boolean tooBig = tunnel.getMtu() + overhead.getAsInt() > underlayMtu;
            double largeLoss = largeProbeLoss(latency, tunnel.getName());
            Map<String, Double> evidence = new HashMap<>();
            evidence.put("mtu", (double) tunnel.getMtu());
            evidence.put("underlayMtu", (double) underlayMtu);
            evidence.put("overhead", (double) overhead.getAsInt());
            evidence.put("recommendedMtu", (double) (underlayMtu - overhead.getAsInt()));
            evidence.put("fragmentsPerSec", fragments);
            evidence.put("largeProbeLoss", largeLoss);
            double overlayUs = largeProbeRtt(latency, tunnel.getName(), ProbePath.OVERLAY);
            double underlayUs = largeProbeRtt(latency, tunnel.getName(), ProbePath.UNDERLAY);
            boolean slowThroughTunnel = false;
            if (!Double.isNaN(overlayUs) && !Double.isNaN(underlayUs)) {
                evidence.put("overlayRttUs", overlayUs);
                evidence.put("underlayRttUs", underlayUs);
                evidence.put("overlayGapUs", overlayUs - underlayUs);
                slowThroughTunnel = overlayUs >= underlayUs * GAP_FACTOR && overlayUs - underlayUs >= GAP_MIN_US;
            }
            double tunnelPackets = packetsPerSec(links, tunnel.getName());
            boolean tunnelCarries = Double.isNaN(tunnelPackets)
                    || tunnelPackets * 2 >= thresholds.fragmentsPerSec();
            if (!Double.isNaN(tunnelPackets)) {
                evidence.put("tunnelPacketsPerSec", tunnelPackets);
            }
            // what a fix must bring down: fragments, and large-probe loss when that is the evidence
            double metric = fragments + largeLoss;
            boolean confirmed = (fragments >= thresholds.fragmentsPerSec() && tunnelCarries)
                    || largeLoss >= thresholds.largeProbeLoss() || slowThroughTunnel;
            if (tooBig && confirmed) {
                findings.add(Finding.bad(HotspotType.MTU_MISMATCH, tunnel.getName(), metric,
                        Math.max(thresholds.fragmentsPerSec(), Double.MIN_VALUE), evidence, String.format(
                                "%s has MTU %d but %s over %s (MTU %d) leaves room for %d: %.1f fragments/s",
                                tunnel.getName(), tunnel.getMtu(), tunnel.getKind(), underlay.get().getName(),
                                underlayMtu, underlayMtu - overhead.getAsInt(), fragments)));
            } else {
                findings.add(Finding.good(HotspotType.MTU_MISMATCH, tunnel.getName(), metric, evidence));
            }
        }
        return findings;
    }

    /** rx + tx packets per second of one interface, or NaN without its rates. */
    private static double packetsPerSec(LinkRates links, String name) {
        if (links == null) {
            return Double.NaN;
        }
        for (LinkRate link : links.getInterfaces()) {
            if (name.equals(link.getName())) {
                return link.getRxPacketsPerSec() + link.getTxPacketsPerSec();
            }
        }
        return Double.NaN;
    }

    private static double value(Double rate) {
        return rate == null ? 0 : rate;
    }

    private static Family family(LatencySample latency, String tunnel) {
        for (ProbeStats probe : probes(latency, tunnel)) {
            if (probe.getPath() == ProbePath.UNDERLAY) {
                Family family = Encapsulation.familyOf(probe.getAddress());
                if (family != Family.UNKNOWN) {
                    return family;
                }
            }
        }
        return Family.UNKNOWN;
    }

    /** The probes of every peer reached through {@code tunnel}; none without a sample. */
    private static List<ProbeStats> probes(LatencySample latency, String tunnel) {
        if (latency == null) {
            return List.of();
        }
        List<ProbeStats> probes = new ArrayList<>();
        for (PeerLatency peer : latency.getPeers()) {
            if (tunnel.equals(peer.getTunnelInterface())) {
                probes.addAll(peer.getProbes());
            }
        }
        return probes;
    }

    /**
     * Mean round trip (µs, weighted by replies) of the tunnel's large probes on one path, or NaN without any
     * answered large probe on it. Large is at least {@code largeProbeBytes}: the probes that fragment.
     */
    private double largeProbeRtt(LatencySample latency, String tunnel, ProbePath path) {
        double sum = 0;
        long replies = 0;
        for (ProbeStats probe : probes(latency, tunnel)) {
            if (probe.getPath() == path && probe.getSizeBytes() >= thresholds.largeProbeBytes()
                    && probe.getRttAvgUs() != null && probe.getReceived() > 0) {
                sum += (double) probe.getRttAvgUs() * probe.getReceived();
                replies += probe.getReceived();
            }
        }
        return replies == 0 ? Double.NaN : sum / replies;
    }

    /** Worst loss of large overlay probes, counted only when small overlay probes on the same tunnel get through. */
    private double largeProbeLoss(LatencySample latency, String tunnel) {
        double large = 0;
        double small = 0;
        for (ProbeStats probe : probes(latency, tunnel)) {
            if (probe.getPath() != ProbePath.OVERLAY || probe.getSent() == 0) {
                continue;
            }
            if (probe.getSizeBytes() >= thresholds.largeProbeBytes()) {
                large = Math.max(large, probe.getLossRatio());
            } else {
                small = Math.max(small, probe.getLossRatio());
            }
        }
        return small < thresholds.largeProbeLoss() / 2 ? large : 0;
    }
}
