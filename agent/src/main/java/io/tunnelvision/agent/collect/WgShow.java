package io.tunnelvision.agent.collect;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The peers' endpoints in the output of {@code wg show all endpoints} (wireguard-tools 1.0.20210914): one line
 * per peer, {@code <public key> TAB <endpoint>}, the first peer of each interface prefixed with
 * {@code <interface> TAB} (the later ones are not: see the fixture {@code one-interface-three-peers.txt}); the
 * endpoint is {@code 192.0.2.1:51820}, {@code [2001:db8::1]:51820}, or {@code (none)} before the peer was ever
 * configured with or heard from one. A pure parser.
 */
public final class WgShow {

    private WgShow() {
    }

    /** Each interface's peer endpoints in the order printed; interfaces whose peers have none map to an empty list. */
    public static Map<String, List<InetAddress>> endpoints(String text) {
        Map<String, List<InetAddress>> endpoints = new LinkedHashMap<>();
        if (text == null) {
            return endpoints;
        }
        List<InetAddress> peers = null;
        for (String line : text.split("\n")) {
            String[] f = line.strip().split("\t");
            if (f.length == 3 && !f[0].isEmpty()) {
                peers = endpoints.computeIfAbsent(f[0], k -> new ArrayList<>());
            } else if (f.length != 2 || peers == null) {
                continue; // not a peer line, or a peer before any interface was named
            }
            InetAddress address = Addresses.ofEndpoint(f[f.length - 1]);
            if (address != null) {
                peers.add(address);
            }
        }
        return endpoints;
    }
}
