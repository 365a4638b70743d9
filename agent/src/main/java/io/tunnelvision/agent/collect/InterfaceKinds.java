package io.tunnelvision.agent.collect;

import io.tunnelvision.schemas.avro.InterfaceKind;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Tells what an interface is, and what it runs over, from sysfs alone.
 *
 * <p>sysfs has no field naming the driver (that is rtnetlink's IFLA_INFO_KIND, which would need a netlink
 * client), so the kind is pieced together, most specific clue first:
 * <ol>
 *   <li>{@code type} 772 (ARPHRD_LOOPBACK): loopback;</li>
 *   <li>{@code tun_flags}, which only the tun driver creates: IFF_TUN (0x1) is a tun, IFF_TAP (0x2) a tap;</li>
 *   <li>DEVTYPE in {@code uevent}: wireguard, vxlan, bridge, veth (drivers that call SET_NETDEV_DEVTYPE; on
 *       6.x tun and veth do not);</li>
 *   <li>{@code type} 778 or 823 (ARPHRD_IPGRE, ARPHRD_IP6GRE): GRE. gretap looks like Ethernet and falls
 *       through;</li>
 *   <li>a {@code device} link: a bus device backs it, so it is physical;</li>
 *   <li>Ethernet, no DEVTYPE, no device, linked by {@code iflink} to another ifindex and no {@code lower_*}:
 *       a veth, whose iflink is its peer. A heuristic: a macvlan or ipvlan moved to another namespace than its
 *       lower device looks the same;</li>
 *   <li>anything else (ipip, sit, vlan, macvlan, bond, dummy, ifb …): other.</li>
 * </ol>
 */
public final class InterfaceKinds {

    static final int ARPHRD_ETHER = 1;
    static final int ARPHRD_LOOPBACK = 772;
    static final int ARPHRD_IPGRE = 778;
    static final int ARPHRD_IP6GRE = 823;
    static final int IFF_TUN = 0x0001;
    static final int IFF_TAP = 0x0002;

    private InterfaceKinds() {
    }

    /**
     * {@link #kind(InterfaceFacts)}, except that a tun with a WireGuard UAPI socket of its name is a userspace
     * WireGuard (wireguard-go, boringtun): it carries WireGuard's overhead, not a tun's.
     *
     * @param hasWireGuardSocket asked only for a tun, so other interfaces cost no file lookup
     */
    public static InterfaceKind kind(InterfaceFacts f, Predicate<String> hasWireGuardSocket) {
        InterfaceKind kind = kind(f);
        return kind == InterfaceKind.TUN && hasWireGuardSocket.test(f.name()) ? InterfaceKind.WIREGUARD : kind;
    }

    /** Whether the kind routes its outer packets, so that its underlay is found by route (WireGuard, tun, tap). */
    public static boolean routesItsPackets(InterfaceKind kind) {
        return kind == InterfaceKind.WIREGUARD || kind == InterfaceKind.TUN || kind == InterfaceKind.TAP;
    }

    public static InterfaceKind kind(InterfaceFacts f) {
        if (f.type() == ARPHRD_LOOPBACK) {
            return InterfaceKind.LOOPBACK;
        }
        if (f.tunFlags() != null) {
            if ((f.tunFlags() & IFF_TAP) != 0) {
                return InterfaceKind.TAP;
            }
            if ((f.tunFlags() & IFF_TUN) != 0) {
                return InterfaceKind.TUN;
            }
        }
        if (f.devType() != null) {
            switch (f.devType()) {
                case "wireguard":
                    return InterfaceKind.WIREGUARD;
                case "vxlan":
                    return InterfaceKind.VXLAN;
                case "bridge":
                    return InterfaceKind.BRIDGE;
                case "veth":
                    return InterfaceKind.VETH;
                default:
                    break;
            }
        }
        if (f.type() == ARPHRD_IPGRE || f.type() == ARPHRD_IP6GRE) {
            return InterfaceKind.GRE;
        }
        if (f.hasDevice()) {
            return InterfaceKind.PHYSICAL;
        }
        if (f.type() == ARPHRD_ETHER && f.devType() == null && f.iflink() != f.ifindex() && f.iflink() > 0
                && f.lowers().isEmpty()) {
            return InterfaceKind.VETH;
        }
        return InterfaceKind.OTHER;
    }

    /**
     * The interface {@code f} runs over, or null. The kernel's own link ({@code iflink}, set by vlan, macvlan,
     * and GRE/IPIP tunnels created with {@code dev}) wins; otherwise a single {@code lower_*} link (vxlan with
     * {@code dev}, since 5.5). A veth's iflink is its peer and a bridge's lowers are its ports, neither an
     * underlay, and physical and loopback devices have none. A tunnel that routes its packets (WireGuard,
     * OpenVPN's tun, vxlan without {@code dev}) has no underlay the kernel can tell: null (the collector then asks
     * {@link RoutedUnderlays}).
     *
     * @param namesByIfindex the interfaces of the same namespace; an iflink pointing elsewhere gives null
     */
    public static String underlay(InterfaceFacts f, InterfaceKind kind, Map<Integer, String> namesByIfindex) {
        switch (kind) {
            case LOOPBACK:
            case PHYSICAL:
            case VETH:
            case BRIDGE:
                return null;
            default:
                break;
        }
        if (f.iflink() != f.ifindex() && f.iflink() > 0) {
            String linked = namesByIfindex.get(f.iflink());
            if (linked != null) {
                return linked;
            }
        }
        return f.lowers().size() == 1 ? f.lowers().get(0) : null;
    }

    /** The DEVTYPE of a {@code uevent} file's content, or null. */
    public static String devType(String uevent) {
        if (uevent == null) {
            return null;
        }
        for (String line : uevent.split("\n")) {
            if (line.startsWith("DEVTYPE=")) {
                String value = line.substring("DEVTYPE=".length()).strip();
                return value.isEmpty() ? null : value;
            }
        }
        return null;
    }
}
