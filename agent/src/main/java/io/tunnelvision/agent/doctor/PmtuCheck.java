package io.tunnelvision.agent.doctor;

import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.detect.PmtuBlackholeDetector;
import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.PmtuPath;
import io.tunnelvision.schemas.avro.PmtuSample;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A tunnel whose path swallows don't-fragment packets its MTU allows, with no ICMP "fragmentation needed" coming
 * back: the rules' PMTU_BLACKHOLE, from the agent's path-MTU probes of the WireGuard peers. The rules decide and
 * propose the MTU; this says what the probes showed and why it stalls TCP.
 */
final class PmtuCheck implements Check {

    @Override
    public String name() {
        return "pmtu";
    }

    @Override
    public Set<HotspotType> types() {
        return Set.of(HotspotType.PMTU_BLACKHOLE);
    }

    @Override
    public String seen(Finding f, HostInterval interval) {
        var e = f.evidence();
        StringBuilder seen = new StringBuilder(String.format(Locale.ROOT,
                "%s has mtu %d; don't-fragment probes through it pass up to %d bytes and vanish from %d bytes on, "
                        + "and the kernel holds no path MTU reported by ICMP", f.target(), e.get("tunnelMtu").intValue(),
                e.get("effectiveMtu").intValue(), e.get("smallestFailedBytes").intValue()));
        PmtuSample sample = interval.pmtu();
        if (sample != null) {
            for (PmtuPath p : sample.getPaths()) {
                if (f.target().equals(p.getTunnelInterface()) && PmtuBlackholeDetector.blackholed(p)) {
                    seen.append(String.format(Locale.ROOT, "; peer %s at %s: %d passed, %d failed", p.getPeer(),
                            p.getAddress(), p.getLargestPassedBytes(), p.getSmallestFailedBytes()));
                }
            }
        }
        return seen.toString();
    }

    @Override
    public String why(Finding f, List<Change> changes, HostInterval interval) {
        String remedy = f.evidence().containsKey("recommendedMtu")
                ? "Lowering the tunnel's MTU to " + f.evidence().get("recommendedMtu").intValue() + " makes every "
                        + "packet it accepts fit the path, and TCP's MSS follows it; set the peer's MTU the same."
                : "The path carries less than the protocol's minimum MTU, so no MTU is proposed: clamp TCP's MSS "
                        + "on the tunnel, or find the hop that drops.";
        return "A hop on the way drops packets too big for its link without sending back the ICMP 'fragmentation "
                + "needed' (a filter that blocks all ICMP), so senders never learn to send smaller: a TCP flow "
                + "stalls on its first full-sized segment and retransmits it until it times out, while pings and "
                + "small requests work. " + remedy;
    }
}
