package io.tunnelvision.agent.collect;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the path-MTU prober probes on WireGuard: each peer's overlay address (its first single-host allowed IP,
 * a {@code /32} or {@code /128}: the address of the peer itself, not of a network behind it) and its endpoint,
 * from {@code wg show all allowed-ips} and {@code wg show all endpoints} (wireguard-tools 1.0.20210914). Both print
 * {@code <interface> TAB <public key> TAB <value>} per peer; a line without the interface belongs to the interface
 * named last (as {@link WgShow} reads them). Allowed IPs are space-separated. Neither output holds a private key.
 * A peer with no single-host allowed IP is not probed: an address inside a routed prefix may be nobody. A pure
 * parser.
 */
public final class WgPeerTargets {

    /** One peer to probe: through {@code iface} to {@code overlay}; its outer packets go to {@code endpoint}. */
    public record Target(String iface, String publicKey, InetAddress overlay, InetAddress endpoint) {
    }

    private WgPeerTargets() {
    }

    public static List<Target> parse(String allowedIps, String endpoints) {
        Map<String, String[]> endpointsByPeer = lines(endpoints);
        List<Target> targets = new ArrayList<>();
        for (Map.Entry<String, String[]> e : lines(allowedIps).entrySet()) {
            String[] f = e.getValue();
            InetAddress overlay = firstHost(f[2]);
            if (overlay == null) {
                continue;
            }
            String[] ep = endpointsByPeer.get(e.getKey());
            targets.add(new Target(f[0], f[1], overlay, ep == null ? null : Addresses.ofEndpoint(ep[2])));
        }
        return targets;
    }

    /** Each peer's line as {interface, key, value}, keyed by interface and key. */
    private static Map<String, String[]> lines(String text) {
        Map<String, String[]> lines = new LinkedHashMap<>();
        if (text == null) {
            return lines;
        }
        String iface = null;
        for (String line : text.split("\n")) {
            String[] f = line.strip().split("\t");
            if (f.length == 3 && !f[0].isEmpty()) {
                iface = f[0];
                lines.put(f[0] + "\t" + f[1], f);
            } else if (f.length == 2 && iface != null) {
                lines.put(iface + "\t" + f[0], new String[] {iface, f[0], f[1]});
            }
        }
        return lines;
    }

    private static InetAddress firstHost(String allowed) {
        for (String prefix : allowed.strip().split("\\s+")) {
            int slash = prefix.indexOf('/');
            if (slash < 0) {
                continue;
            }
            InetAddress address = Addresses.literal(prefix.substring(0, slash));
            String bits = prefix.substring(slash + 1);
            if (address != null && bits.equals(address instanceof Inet6Address ? "128" : "32")) {
                return address;
            }
        }
        return null;
    }
}
