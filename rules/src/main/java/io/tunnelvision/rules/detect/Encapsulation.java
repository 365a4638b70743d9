package io.tunnelvision.rules.detect;

import io.tunnelvision.schemas.avro.InterfaceKind;
import java.util.OptionalInt;

/**
 * Bytes a tunnel of each kind adds to every inner packet, outer IP header included. When the underlay's address
 * family is unknown the IPv6 figure is used: an MTU that fits IPv6 encapsulation also fits IPv4.
 */
public final class Encapsulation {

    /** The underlay's IP version, as far as the probes tell. */
    public enum Family { IPV4, IPV6, UNKNOWN }

    private static final int IPV6_EXTRA = 20;

    private Encapsulation() {
    }

    public static OptionalInt overhead(InterfaceKind kind, Family family) {
        int ipv4 = switch (kind) {
            // outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14
            case VXLAN -> 50;
            // outer IPv4 20 + UDP 8 + WireGuard header 16 + auth tag 16
            case WIREGUARD -> 60;
            // outer IPv4 20 + GRE 4
            case GRE -> 24;
            // OpenVPN-style UDP tun: IPv4 20 + UDP 8 + opcode/peer id, packet id, IV and tag: 50 and up
            case TUN -> 50;
            // as TUN plus the inner Ethernet header
            case TAP -> 64;
            default -> -1;
        };
        if (ipv4 < 0) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(family == Family.IPV4 ? ipv4 : ipv4 + IPV6_EXTRA);
    }

    /** The family of a probe address {@code host:port}; {@code [v6]:port} or a bare v6 literal is IPv6. */
    public static Family familyOf(String address) {
        if (address == null || address.isBlank()) {
            return Family.UNKNOWN;
        }
        if (address.startsWith("[") || address.chars().filter(c -> c == ':').count() > 1) {
            return Family.IPV6;
        }
        String host = address.contains(":") ? address.substring(0, address.indexOf(':')) : address;
        return host.matches("\\d{1,3}(\\.\\d{1,3}){3}") ? Family.IPV4 : Family.UNKNOWN;
    }
}
