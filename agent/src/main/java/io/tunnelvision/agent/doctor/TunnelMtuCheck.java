package io.tunnelvision.agent.doctor;

import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceKind;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A tunnel whose MTU leaves no room for its encapsulation on its underlay while fragments are rising, so that
 * every full-size packet is fragmented (or dropped with DF set): the manual's "MTU mismatch". The underlay is the
 * interface-config collector's: the kernel's link (vxlan or GRE created with {@code dev}), or for WireGuard, tun
 * and tap the route to their peer ({@code RoutedUnderlays}); without probe results the rules assume an IPv6
 * underlay, whose overhead fits IPv4 too.
 */
final class TunnelMtuCheck implements Check {

    @Override
    public String name() {
        return "tunnel-mtu";
    }

    @Override
    public Set<HotspotType> types() {
        return Set.of(HotspotType.MTU_MISMATCH);
    }

    @Override
    public String seen(Finding f, HostInterval interval) {
        var e = f.evidence();
        InterfaceConfig iface = interval.iface(f.target()).orElse(null);
        String kind = iface == null ? "tunnel" : kindName(iface.getKind());
        String underlay = iface == null || iface.getUnderlay() == null ? "its underlay" : iface.getUnderlay();
        return String.format(Locale.ROOT, "%s (%s) has mtu %d over %s of mtu %d; %s adds %d bytes, so the largest "
                        + "inner packet that is not fragmented is %d; fragmentation %s", f.target(), kind,
                e.get("mtu").intValue(), underlay, e.get("underlayMtu").intValue(), kind, e.get("overhead").intValue(),
                e.get("recommendedMtu").intValue(), Text.rate(e.get("fragmentsPerSec")));
    }

    @Override
    public String why(Finding f, List<Change> changes, HostInterval interval) {
        var e = f.evidence();
        return "Each full-size packet becomes an outer packet of " + (e.get("mtu").intValue()
                + e.get("overhead").intValue()) + " bytes, more than the underlay carries, so it is fragmented in two "
                + "(twice the interrupts, a reassembly wait at the far end, the whole packet lost with either "
                + "fragment) or dropped where DF is set. The overhead assumed is that of an IPv6 underlay unless "
                + "probes showed IPv4, so the MTU proposed fits either. The peer must use the same MTU or lower.";
    }

    static String kindName(InterfaceKind kind) {
        return switch (kind) {
            case WIREGUARD -> "WireGuard";
            case VXLAN -> "VXLAN";
            case GRE -> "GRE";
            case TUN -> "OpenVPN-style tun";
            default -> kind.name().toLowerCase(Locale.ROOT);
        };
    }
}
