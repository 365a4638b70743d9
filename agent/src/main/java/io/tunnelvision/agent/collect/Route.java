package io.tunnelvision.agent.collect;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * One route of the kernel's tables as {@code /proc/net/route} or {@code /proc/net/ipv6_route} show it.
 *
 * @param iface the interface its packets leave through
 * @param destination the network address
 * @param prefixLength bits of {@code destination} that must match; 0 is a default route
 * @param metric its metric (lower wins between equally long prefixes)
 */
public record Route(String iface, InetAddress destination, int prefixLength, long metric) {

    public boolean ipv6() {
        return destination instanceof Inet6Address;
    }

    public boolean isDefault() {
        return prefixLength == 0;
    }

    /** Whether {@code address} is in this route's network (same family, first {@code prefixLength} bits equal). */
    public boolean covers(InetAddress address) {
        byte[] net = destination.getAddress();
        byte[] a = address.getAddress();
        if (net.length != a.length) {
            return false;
        }
        int bits = prefixLength;
        for (int i = 0; bits > 0; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if ((net[i] & mask) != (a[i] & mask)) {
                return false;
            }
        }
        return true;
    }
}
