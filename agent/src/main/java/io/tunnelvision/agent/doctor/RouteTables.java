package io.tunnelvision.agent.doctor;

import java.util.ArrayList;
import java.util.List;

/**
 * The default routes in {@code /proc/net/route} and {@code /proc/net/ipv6_route}: pure parsers from text.
 *
 * <p>Only the main table is there (policy routing tables, as wg-quick makes, are visible only through
 * netlink), which is what a tunnel's outer packets use unless the operator routes them otherwise.
 */
final class RouteTables {

    private static final int RTF_UP = 0x0001;
    private static final int RTF_REJECT = 0x0200;
    private static final String ZERO_V4 = "00000000";
    private static final String ZERO_V6 = "0".repeat(32);

    private RouteTables() {
    }

    /**
     * Default routes of {@code /proc/net/route}: {@code Iface Destination Gateway Flags RefCnt Use Metric Mask
     * …}, tab separated, hex addresses. Lines that do not have these columns are skipped.
     */
    static List<DefaultRoute> ipv4(String text) {
        List<DefaultRoute> routes = new ArrayList<>();
        if (text == null) {
            return routes;
        }
        for (String line : text.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 8 || f[0].equals("Iface")) {
                continue;
            }
            Integer flags = hex(f[3]);
            Long metric = decimal(f[6]);
            if (flags == null || metric == null) {
                continue;
            }
            if (f[1].equals(ZERO_V4) && f[7].equals(ZERO_V4) && (flags & RTF_UP) != 0 && (flags & RTF_REJECT) == 0) {
                routes.add(new DefaultRoute(f[0], metric, false));
            }
        }
        return routes;
    }

    /**
     * Default routes of {@code /proc/net/ipv6_route}: {@code dest plen src srcplen nexthop metric refcnt use flags
     * iface}, hex. The kernel's own unreachable {@code ::/0} on {@code lo} (RTF_REJECT) is not a route out.
     */
    static List<DefaultRoute> ipv6(String text) {
        List<DefaultRoute> routes = new ArrayList<>();
        if (text == null) {
            return routes;
        }
        for (String line : text.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 10) {
                continue;
            }
            Integer flags = hex(f[8]);
            Integer metric = hex(f[5]);
            if (flags == null || metric == null) {
                continue;
            }
            if (f[0].equals(ZERO_V6) && f[1].equals("00") && (flags & RTF_UP) != 0 && (flags & RTF_REJECT) == 0
                    && !f[9].equals("lo")) {
                routes.add(new DefaultRoute(f[9], Integer.toUnsignedLong(metric), true));
            }
        }
        return routes;
    }

    private static Integer hex(String s) {
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
