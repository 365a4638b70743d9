package io.tunnelvision.api.http;

import io.javalin.http.Context;
import io.tunnelvision.api.db.WireguardDao;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A host's WireGuard peers: their latest state, and one peer's handshake age, rates and endpoint over time. */
final class WireguardRoutes {

    static final int MAX_KEY_LENGTH = 128;
    static final int MAX_ENDPOINT_CHANGES = 1000;

    private final HostRequests requests;
    private final WireguardDao wireguard;

    WireguardRoutes(HostRequests requests, WireguardDao wireguard) {
        this.requests = requests;
        this.wireguard = wireguard;
    }

    /** up: handshake within {@link WireguardDao#STALE_AFTER}; stale: older; never: no handshake yet. */
    record Peer(String publicKey, String shortKey, String endpoint, int allowedIps, Instant latestHandshake,
                Integer handshakeAgeSeconds, Integer persistentKeepaliveSeconds, long rxBytes, long txBytes,
                Double rxBytesPerSecond, Double txBytesPerSecond, String status) {
    }

    record Interface(String name, List<Peer> peers) {
    }

    record Latest(String host, Instant sampledAt, long staleAfterSeconds, List<Interface> interfaces) {
    }

    void latest(Context ctx) {
        HostRequests.Host host = requests.host(ctx);
        Map<String, List<Peer>> byIface = new LinkedHashMap<>();
        Instant sampledAt = null;
        for (WireguardDao.PeerState p : wireguard.latest(host.key())) {
            sampledAt = p.sampledAt();
            byIface.computeIfAbsent(p.iface(), i -> new ArrayList<>()).add(new Peer(p.peerKey(), shortKey(p.peerKey()),
                    p.endpoint(), p.allowedIps(), p.latestHandshake(), p.handshakeAgeSeconds(), p.keepaliveSeconds(),
                    p.rxBytes(), p.txBytes(), p.rxBytesPerSecond(), p.txBytesPerSecond(),
                    status(p.handshakeAgeSeconds())));
        }
        List<Interface> interfaces = byIface.entrySet().stream().map(e -> new Interface(e.getKey(), e.getValue()))
                .toList();
        ctx.json(new Latest(host.id(), sampledAt, WireguardDao.STALE_AFTER.toSeconds(), interfaces));
    }

    static String status(Integer handshakeAgeSeconds) {
        if (handshakeAgeSeconds == null) {
            return "never";
        }
        return handshakeAgeSeconds > WireguardDao.STALE_AFTER.toSeconds() ? "stale" : "up";
    }

    /** The first 8 characters of the base64 key, as operators recognise a peer. */
    static String shortKey(String key) {
        return key.length() <= 8 ? key : key.substring(0, 8) + "…";
    }

    record History(String host, String peer, String iface, Instant from, Instant to, long stepSeconds, String tier,
                   List<WireguardDao.Bucket> points, List<WireguardDao.EndpointChange> endpointChanges,
                   boolean endpointChangesTruncated) {
    }

    void history(Context ctx) {
        String peer = peerKey(ctx);
        HostRequests.History q = requests.history(ctx);
        List<WireguardDao.Bucket> points = wireguard.history(q.tier(), q.host().key(), peer, q.iface(), q.from(),
                q.to(), q.step());
        List<WireguardDao.EndpointChange> changes = wireguard.endpointChanges(q.tier(), q.host().key(), peer,
                q.iface(), q.from(), q.to(), MAX_ENDPOINT_CHANGES + 1);
        boolean more = changes.size() > MAX_ENDPOINT_CHANGES;
        ctx.json(new History(q.host().id(), peer, q.iface(), q.from(), q.to(), q.step().toSeconds(), q.tier().label(),
                points, more ? changes.subList(0, MAX_ENDPOINT_CHANGES) : changes, more));
    }

    /**
     * The peer's public key; required. A base64 key never holds a space, so a '+' that an unencoded query string
     * turned into one is put back.
     */
    static String peerKey(Context ctx) {
        String value = ctx.queryParam("peer");
        if (value == null || value.isEmpty()) {
            throw ApiProblem.badRequest("query parameter 'peer' is required: the peer's public key (base64, as"
                    + " GET /api/v1/hosts/{host}/wireguard lists it; URL-encode '+', '/' and '=')");
        }
        String key = value.replace(' ', '+');
        if (key.length() > MAX_KEY_LENGTH || !key.matches("[A-Za-z0-9+/=_-]+")) {
            throw ApiProblem.badRequest("peer '" + Params.printable(value) + "' is not a WireGuard public key: base64,"
                    + " at most " + MAX_KEY_LENGTH + " characters");
        }
        return key;
    }
}
