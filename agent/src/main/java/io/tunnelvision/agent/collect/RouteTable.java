package io.tunnelvision.agent.collect;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The routes of {@code /proc/net/route} and {@code /proc/net/ipv6_route}, and the route the kernel would pick for
 * an address: pure functions from text, shared by the collectors and the doctor.
 *
 * <p>Only what those files show: the main table for IPv4 (policy routing tables, as wg-quick makes, are visible
 * only through netlink) and every table for IPv6. Routes that are not up, and reject routes (the kernel's own
 * unreachable {@code ::/0} on {@code lo}), are left out: no packet leaves through them.
 */
public final class RouteTable {

    private static final int RTF_UP = 0x0001;
    private static final int RTF_REJECT = 0x0200;

    /** Longest prefix first, then the lowest metric, as the kernel chooses (ECMP aside). */
    private static final Comparator<Route> PREFERRED = Comparator.comparingInt(Route::prefixLength).reversed()
            .thenComparingLong(Route::metric);

    private RouteTable() {
    }

    /**
     * {@code /proc/net/route}: {@code Iface Destination Gateway Flags RefCnt Use Metric Mask …}, whitespace
     * separated; addresses are the network-order bytes printed as a host-order 32-bit hex number (so 10.0.0.1
     * reads {@code 0100000A} on a little-endian machine). Lines without these columns are skipped.
     */
    public static List<Route> ipv4(String text) {
        List<Route> routes = new ArrayList<>();
        if (text != null) {
            text.lines().map(RouteTable::ipv4Line).filter(r -> r != null).forEach(routes::add);
        }
        return routes;
    }

    /** One line of {@code /proc/net/route} (see {@link #ipv4(String)}), or null for the header and broken lines. */
    public static Route ipv4Line(String line) {
        String[] f = line.strip().split("\\s+");
        if (f.length < 8 || f[0].equals("Iface")) {
            return null;
        }
        Integer flags = hex(f[3]);
        Long metric = decimal(f[6]);
        Integer dest = hex(f[1]);
        Integer mask = hex(f[7]);
        if (flags == null || metric == null || dest == null || mask == null || !usable(flags)) {
            return null;
        }
        return new Route(f[0], address(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(dest).array()),
                Integer.bitCount(mask), metric);
    }

    /**
     * {@code /proc/net/ipv6_route}: {@code dest plen src srcplen nexthop metric refcnt use flags iface}, hex, the
     * addresses as 32 digits in network order.
     */
    public static List<Route> ipv6(String text) {
        List<Route> routes = new ArrayList<>();
        if (text != null) {
            text.lines().map(RouteTable::ipv6Line).filter(r -> r != null).forEach(routes::add);
        }
        return routes;
    }

    /** One line of {@code /proc/net/ipv6_route} (see {@link #ipv6(String)}), or null for a broken line. */
    public static Route ipv6Line(String line) {
        String[] f = line.strip().split("\\s+");
        if (f.length < 10 || f[0].length() != 32) {
            return null;
        }
        Integer plen = hex(f[1]);
        Integer metric = hex(f[5]);
        Integer flags = hex(f[8]);
        byte[] dest = hexBytes(f[0]);
        if (plen == null || plen > 128 || metric == null || flags == null || dest == null || !usable(flags)) {
            return null;
        }
        return new Route(f[9], address(dest), plen, Integer.toUnsignedLong(metric));
    }

    /**
     * The route packets to {@code address} take, leaving out routes through {@code notThrough} (a tunnel's own
     * routes to its inner networks, which may cover its peer's outer address too), or empty.
     */
    public static Optional<Route> lookup(List<Route> routes, InetAddress address, String notThrough) {
        return routes.stream()
                .filter(r -> !r.iface().equals(notThrough) && r.covers(address))
                .min(PREFERRED);
    }

    /** The default routes ({@code 0.0.0.0/0}, {@code ::/0}) among {@code routes}, the preferred first. */
    public static List<Route> defaults(List<Route> routes) {
        return routes.stream().filter(Route::isDefault).sorted(PREFERRED).toList();
    }

    private static boolean usable(int flags) {
        return (flags & RTF_UP) != 0 && (flags & RTF_REJECT) == 0;
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes); // no name lookup: bytes only
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not 4 or 16 bytes", e);
        }
    }

    static byte[] hexBytes(String s) {
        if (s.length() % 2 != 0) {
            return null;
        }
        byte[] bytes = new byte[s.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            int hi = Character.digit(s.charAt(2 * i), 16);
            int lo = Character.digit(s.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                return null;
            }
            bytes[i] = (byte) (hi << 4 | lo);
        }
        return bytes;
    }

    static Integer hex(String s) {
        try {
            return Integer.parseUnsignedInt(s, 16);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Long decimal(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
