package io.tunnelvision.rules.detect;

import io.tunnelvision.schemas.avro.InterfaceKind;
import java.util.OptionalInt;

/**
 * Bytes a tunnel of each kind adds to every inner packet, outer IP header included. When the underlay's address
 * family is unknown the IPv6 figure is used: an MTU that fits IPv6 encapsulation also fits IPv4. WireGuard always
 * takes its IPv6 figure: a peer's endpoint roams to wherever its last authenticated packet came from, IPv4 or
 * IPv6, so the tunnel's MTU must fit both (wg-quick's 1420 over 1500).
 *
 * <p>Measured in the lab on 6.18 (see lab/README.md): a 1,000-byte inner packet left the veth underlay as a
 * 1,066-byte frame through OpenVPN 2.6 (52 + Ethernet 14) and 1,440 bytes were the most that wireguard-go sent
 * unfragmented over IPv4 (60).
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
            // outer IPv4 20 + UDP 8 + WireGuard header 16 + auth tag 16 (IPv6 figure always, see above)
            case WIREGUARD -> 60;
            // outer IPv4 20 + GRE 4
            case GRE -> 24;
            // OpenVPN 2.5+ over UDP with its default AEAD cipher (AES-256-GCM, DATA_V2): outer IPv4 20 + UDP 8 +
            // opcode and peer id 4 + packet id 4 + GCM tag 16 = 52, so 1448 over 1500, not the often-quoted 1450
            // (2 bytes too big). CBC+HMAC ciphers (static keys) and compression framing add more.
            case TUN -> 52;
            // as TUN plus the inner Ethernet header
            case TAP -> 66;
            default -> -1;
        };
        if (ipv4 < 0) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(family == Family.IPV4 && kind != InterfaceKind.WIREGUARD ? ipv4 : ipv4 + IPV6_EXTRA);
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
