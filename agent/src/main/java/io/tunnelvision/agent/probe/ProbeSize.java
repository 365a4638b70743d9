package io.tunnelvision.agent.probe;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One probe size: a fixed UDP payload in bytes, or {@code mtu}: the largest payload the peer's tunnel claims to
 * carry in one packet (its MTU minus the IP and UDP headers), read again every interval. A tunnel whose MTU is
 * too big for its underlay fragments exactly these probes, and stops doing so once the MTU is right.
 */
public record ProbeSize(int fixedBytes) {

    /** The {@code mtu} size. */
    public static final ProbeSize TUNNEL_MTU = new ProbeSize(0);

    private static final int IPV4_UDP_HEADERS = 28;
    private static final int IPV6_UDP_HEADERS = 48;

    public ProbeSize {
        if (fixedBytes != 0 && (fixedBytes < ProbePacket.HEADER_BYTES || fixedBytes > ProbePacket.MAX_BYTES)) {
            throw new IllegalArgumentException("a probe size must be between " + ProbePacket.HEADER_BYTES + " and "
                    + ProbePacket.MAX_BYTES + " bytes, was " + fixedBytes);
        }
    }

    public boolean followsMtu() {
        return fixedBytes == 0;
    }

    /** The payload size for a probe to {@code target} over a tunnel whose MTU is {@code tunnelMtu}. */
    public int bytes(int tunnelMtu, InetAddress target) {
        if (!followsMtu()) {
            return fixedBytes;
        }
        int headers = target instanceof Inet6Address ? IPV6_UDP_HEADERS : IPV4_UDP_HEADERS;
        return Math.max(ProbePacket.HEADER_BYTES, Math.min(ProbePacket.MAX_BYTES, tunnelMtu - headers));
    }

    /** {@code 64,mtu}: comma-separated byte counts and at most one {@code mtu}; at least one size. */
    public static List<ProbeSize> parseList(String spec) {
        List<ProbeSize> sizes = new ArrayList<>();
        for (String raw : spec.split(",")) {
            String s = raw.strip().toLowerCase(Locale.ROOT);
            if (s.isEmpty()) {
                continue;
            }
            ProbeSize size;
            if (s.equals("mtu")) {
                size = TUNNEL_MTU;
            } else {
                try {
                    size = new ProbeSize(Integer.parseInt(s));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + raw.strip() + "' is neither a byte count nor mtu", e);
                }
                if (size.followsMtu()) {
                    throw new IllegalArgumentException("a probe size must be at least " + ProbePacket.HEADER_BYTES);
                }
            }
            if (sizes.contains(size)) {
                throw new IllegalArgumentException("probe size " + s + " is given twice");
            }
            sizes.add(size);
        }
        if (sizes.isEmpty()) {
            throw new IllegalArgumentException("no probe size given");
        }
        return List.copyOf(sizes);
    }
}
