package io.tunnelvision.agent.collect;

import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The path MTU the kernel learnt from an ICMP "fragmentation needed" (IPv4) or "packet too big" (IPv6), in the
 * output of {@code ip -j route get <address>} (iproute2 6.1): such a message makes a route exception for the
 * destination, printed with {@code "expires":<seconds>} and {@code "metrics":[{"mtu":<bytes>}]} (the exception
 * lives 600 s, {@code net.ipv4.route.mtu_expires}). A route configured with an {@code mtu} has the metric but no
 * {@code expires}: it is not what a router told, and is not reported. A pure parser.
 */
public final class RouteExceptions {

    private static final Pattern EXPIRES = Pattern.compile("\"expires\"\\s*:\\s*\\d+");
    /** {@code "mtu":1400}, or a locked one if a version prints it as {@code "mtu":["lock",1400]}. */
    private static final Pattern MTU = Pattern.compile("\"mtu\"\\s*:\\s*(?:\\[\\s*\"lock\"\\s*,\\s*)?(\\d{1,6})");

    private RouteExceptions() {
    }

    /** The MTU of the route exception in {@code json}, or empty when it shows none (or is not such output). */
    public static OptionalInt reportedMtu(String json) {
        if (json == null || !EXPIRES.matcher(json).find()) {
            return OptionalInt.empty();
        }
        Matcher m = MTU.matcher(json);
        if (!m.find()) {
            return OptionalInt.empty();
        }
        int mtu = Integer.parseInt(m.group(1));
        return mtu >= 68 && mtu <= 65_535 ? OptionalInt.of(mtu) : OptionalInt.empty();
    }
}
