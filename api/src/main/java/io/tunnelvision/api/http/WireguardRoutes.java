package io.tunnelvision.api.http;

import io.javalin.http.Context;
import io.tunnelvision.api.db.ReadDao;
import io.tunnelvision.api.db.Retention;
import io.tunnelvision.api.db.Tier;
import io.tunnelvision.api.db.WireguardDao;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A host's WireGuard peers: their latest state, and one peer's handshake age, rates and endpoint over time. */
final class WireguardRoutes {

    static final int MAX_KEY_LENGTH = 128;
    static final int MAX_ENDPOINT_CHANGES = 1000;

    private final ReadDao read;
    private final WireguardDao wireguard;
    private final Retention retention;
    private final Clock clock;

    WireguardRoutes(ReadDao read, WireguardDao wireguard, Retention retention, Clock clock) {
        this.read = read;
        this.wireguard = wireguard;
        this.retention = retention;
        this.clock = clock;
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
        String hostId = Params.checkHost("host", ctx.pathParam("host"));
        int hostKey = read.hostKey(hostId).orElseThrow(() -> QueryRoutes.unknownHost(hostId));
        Map<String, List<Peer>> byIface = new LinkedHashMap<>();
        Instant sampledAt = null;
        for (WireguardDao.PeerState p : wireguard.latest(hostKey)) {
            sampledAt = p.sampledAt();
            byIface.computeIfAbsent(p.iface(), i -> new ArrayList<>()).add(new Peer(p.peerKey(), shortKey(p.peerKey()),
                    p.endpoint(), p.allowedIps(), p.latestHandshake(), p.handshakeAgeSeconds(), p.keepaliveSeconds(),
                    p.rxBytes(), p.txBytes(), p.rxBytesPerSecond(), p.txBytesPerSecond(),
                    status(p.handshakeAgeSeconds())));
        }
        List<Interface> interfaces = byIface.entrySet().stream().map(e -> new Interface(e.getKey(), e.getValue()))
                .toList();
        ctx.json(new Latest(hostId, sampledAt, WireguardDao.STALE_AFTER.toSeconds(), interfaces));
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
        String hostId = Params.checkHost("host", ctx.pathParam("host"));
        String peer = peerKey(ctx);
        String iface = Params.optionalText(ctx, "iface", 64);
        Instant now = clock.instant();
        Instant[] range = Params.range(ctx, now, Duration.ofHours(1));
        Duration step = Params.step(ctx, Duration.ofMinutes(1));
        Tier tier = TierChoice.choose(step, range[0], range[1], now, retention);
        int hostKey = read.hostKey(hostId).orElseThrow(() -> QueryRoutes.unknownHost(hostId));
        List<WireguardDao.Bucket> points = wireguard.history(tier, hostKey, peer, iface, range[0], range[1], step);
        List<WireguardDao.EndpointChange> changes = wireguard.endpointChanges(tier, hostKey, peer, iface, range[0],
                range[1], MAX_ENDPOINT_CHANGES + 1);
        boolean more = changes.size() > MAX_ENDPOINT_CHANGES;
        ctx.json(new History(hostId, peer, iface, range[0], range[1], step.toSeconds(), tier.label(), points,
                more ? changes.subList(0, MAX_ENDPOINT_CHANGES) : changes, more));
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
