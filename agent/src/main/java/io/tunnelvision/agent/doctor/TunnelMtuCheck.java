package io.tunnelvision.agent.doctor;

import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.Severity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A tunnel whose MTU leaves no room for its encapsulation on its underlay, so that every full-size packet is
 * fragmented (or dropped with DF set): the manual's "MTU mismatch".
 *
 * <p>The underlay is the kernel's own link when it has one (vxlan/GRE created with {@code dev}); WireGuard and
 * OpenVPN's tun route their outer packets, so for them (and for a vxlan without {@code dev}) it is the interface
 * of the main table's default route with the lowest metric, IPv4 first. A tap is left out: it is usually a VM's
 * NIC backend, whose MTU is the guest's business.
 */
final class TunnelMtuCheck implements Check {

    /** Bytes each kind adds to an inner packet: {IPv4 underlay, IPv6 underlay}. */
    static final Map<InterfaceKind, int[]> OVERHEAD = Map.of(
            // outer IP 20/40 + UDP 8 + VXLAN 8 + inner Ethernet 14
            InterfaceKind.VXLAN, new int[] {50, 70},
            // outer IP 20/40 + UDP 8 + WireGuard data header 16 + Poly1305 tag 16 (wg-quick's 1420 = 1500 - 80)
            InterfaceKind.WIREGUARD, new int[] {60, 80},
            // outer IP 20/40 + GRE 4 (key and sequence options add 4 each)
            InterfaceKind.GRE, new int[] {24, 44},
            // OpenVPN over UDP with an AEAD cipher (the 2.5+ default): outer IP 20/40 + UDP 8 + DATA_V2 opcode and
            // peer-id 4 + packet id 4 + tag 16, as the kernel's ovpn driver reserves (OVPN_HEAD_ROOM). CBC+HMAC
            // ciphers and 2.7's 8-byte epoch packet ids add more; the manual's 1450 is 2 bytes too big for this.
            InterfaceKind.TUN, new int[] {52, 72});

    /** Fragmentations or reassemblies per second that show a tun's MTU is being paid for, not only at risk. */
    static final double FRAGMENTING_RATE = 1;

    @Override
    public String name() {
        return "tunnel-mtu";
    }

    @Override
    public List<Finding> examine(HostInterval interval) {
        List<Finding> findings = new ArrayList<>();
        for (InterfaceConfig iface : interval.activeInterfaces()) {
            int[] overhead = OVERHEAD.get(iface.getKind());
            if (overhead == null) {
                continue;
            }
            Optional<Underlay> underlay = underlay(iface, interval);
            underlay.ifPresent(u -> examine(iface, overhead, u, interval, findings));
        }
        return findings;
    }

    /** What a tunnel's outer packets leave through. */
    record Underlay(String name, int mtu, boolean ipv6, String how) {
    }

    static Optional<Underlay> underlay(InterfaceConfig iface, HostInterval interval) {
        List<DefaultRoute> routes = interval.facts().defaultRoutes();
        boolean onlyIpv6 = !routes.isEmpty() && routes.stream().allMatch(DefaultRoute::ipv6);
        if (iface.getUnderlay() != null) {
            return interval.iface(iface.getUnderlay())
                    .map(u -> new Underlay(u.getName(), u.getMtu(), onlyIpv6, "its kernel link"));
        }
        for (boolean ipv6 : new boolean[] {false, true}) {
            Optional<Underlay> found = interval.facts().defaultRoutes().stream()
                    .filter(r -> r.ipv6() == ipv6 && !r.iface().equals(iface.getName()))
                    .sorted(Comparator.comparingLong(DefaultRoute::metric))
                    .map(r -> interval.iface(r.iface()).orElse(null))
                    .filter(u -> u != null && !HostInterval.TUNNELS.contains(u.getKind()))
                    .findFirst()
                    .map(u -> new Underlay(u.getName(), u.getMtu(), ipv6,
                            "the " + (ipv6 ? "IPv6" : "IPv4") + " default route"));
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private void examine(InterfaceConfig iface, int[] overhead, Underlay u, HostInterval interval,
            List<Finding> findings) {
        int v4Max = u.mtu() - overhead[0];
        int v6Max = u.mtu() - overhead[1];
        int max = u.ipv6() ? v6Max : v4Max;
        boolean hostHasIpv6 = interval.facts().defaultRoutes().stream().anyMatch(DefaultRoute::ipv6);
        String kind = kindName(iface.getKind());
        int mtu = iface.getMtu();
        double fragRate = fragmentationRate(interval);
        String seen = String.format(Locale.ROOT, "%s (%s) has mtu %d over %s (%s) of mtu %d; %s over %s adds %d "
                + "bytes, so the largest inner packet that is not fragmented is %d; fragmentation %s",
                iface.getName(), kind, mtu, u.name(), u.how(), u.mtu(), kind, u.ipv6() ? "IPv6" : "IPv4",
                u.ipv6() ? overhead[1] : overhead[0], max, Text.rate(fragRate));
        if (mtu > max) {
            int target = hostHasIpv6 ? v6Max : max;
            boolean tun = iface.getKind() == InterfaceKind.TUN;
            Severity severity = !tun || fragRate >= FRAGMENTING_RATE ? Severity.CRITICAL : Severity.WARNING;
            String why = "Each full-size packet becomes an outer packet of " + (mtu + (u.ipv6() ? overhead[1]
                    : overhead[0])) + " bytes, more than " + u.name() + " carries, so it is fragmented in two (twice "
                    + "the interrupts, a reassembly wait at the far end, the whole packet lost with either fragment) "
                    + "or dropped where DF is set. "
                    + (tun ? "For an OpenVPN tun, --mssfix protects TCP only and --fragment works inside the daemon; "
                            + "a tun MTU that fits is cheaper. The overhead assumed is AES-GCM/ChaCha20 with "
                            + "DATA_V2; CBC with HMAC needs up to about 40 bytes more. " : "")
                    + (hostHasIpv6 ? "This host also routes IPv6, so the value proposed leaves room for IPv6 "
                            + "endpoints (" + overhead[1] + " bytes). " : "")
                    + "The peer must use the same MTU or lower.";
            findings.add(new Finding(name(), severity, iface.getName(), seen, why,
                    "ip link set dev " + iface.getName() + " mtu " + target));
        } else if (mtu > v6Max && hostHasIpv6 && !u.ipv6()) {
            findings.add(new Finding(name(), Severity.INFO, iface.getName(), seen,
                    "The MTU fits IPv4 endpoints only: over IPv6 " + kind + " adds " + overhead[1] + " bytes, and "
                            + "this host has an IPv6 default route. Lower it if any peer is reached over IPv6.",
                    "ip link set dev " + iface.getName() + " mtu " + v6Max));
        }
    }

    static double fragmentationRate(HostInterval interval) {
        long frag = Math.max(nz(interval.kernelDelta(KernelSettingsSample::getIpFragCreates)),
                nz(interval.kernelDelta(KernelSettingsSample::getIpFragOks)));
        long reasm = nz(interval.kernelDelta(KernelSettingsSample::getIpReasmReqds));
        return interval.perSecond(frag + reasm);
    }

    private static long nz(Long v) {
        return v == null ? 0 : v;
    }

    static String kindName(InterfaceKind kind) {
        switch (kind) {
            case WIREGUARD:
                return "WireGuard";
            case VXLAN:
                return "VXLAN";
            case GRE:
                return "GRE";
            case TUN:
                return "OpenVPN-style tun";
            default:
                return kind.name().toLowerCase(Locale.ROOT);
        }
    }
}
