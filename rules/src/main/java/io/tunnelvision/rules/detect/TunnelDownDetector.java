package io.tunnelvision.rules.detect;

import io.tunnelvision.rules.rates.WireguardRates;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.Severity;
import io.tunnelvision.schemas.avro.WireguardPeer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A WireGuard peer is down when its latest handshake is older than {@code tunnelHandshakeMaxAge} (REJECT_AFTER_TIME:
 * its session's keys are no longer accepted, so no data passes) while traffic to it is expected: bytes were sent to
 * it over the interval (with no valid session these are the handshake initiations WireGuard retries every 5 s while
 * it has data to send) or it has a persistent keepalive and an endpoint (the keepalive keeps a session up by
 * itself; without an endpoint, as for a roaming client a hub waits for, nothing can be sent). A peer that never
 * completed a handshake is down on the same terms: its handshakes are being tried and never answered.
 *
 * <p>Otherwise: a fresh handshake is up; an old (or no) handshake with no bytes sent over at least
 * {@code tunnelTrafficWindow} is idle, not down (WireGuard only handshakes when it has something to send). When
 * neither can be told (the tx rate is unknown after a counter reset or for a new peer, or the interval is shorter
 * than the window and nothing was sent) the peer gets no finding for the interval: "unknown" neither opens nor
 * closes a hotspot.
 *
 * <p>Target: {@code <interface> peer <first 8 characters of the key>}, the same for every interval, so the hotspot
 * of one (host, interface, peer) keeps its track. The metric is 1 for down, 0 for up or idle: there is no remedy to
 * verify, and the age itself is in the evidence.
 */
public final class TunnelDownDetector {

    /** How much of a peer's public key names it in targets and subjects. */
    public static final int KEY_PREFIX = 8;

    private final long maxAgeMs;
    private final long windowMs;

    public TunnelDownDetector(DetectionThresholds thresholds) {
        this.maxAgeMs = thresholds.tunnelHandshakeMaxAge().toMillis();
        this.windowMs = thresholds.tunnelTrafficWindow().toMillis();
    }

    /** The target naming one peer of one interface. */
    public static String target(String iface, String publicKey) {
        return iface + " peer " + publicKey.substring(0, Math.min(KEY_PREFIX, publicKey.length()));
    }

    public List<Finding> evaluate(WireguardRates rates) {
        List<Finding> findings = new ArrayList<>();
        if (rates == null) {
            return findings;
        }
        long nowMs = rates.header().getToMs();
        long intervalMs = nowMs - rates.header().getFromMs();
        for (WireguardRates.PeerRate rate : rates.peers()) {
            WireguardPeer peer = rate.peer();
            String target = target(rate.iface(), peer.getPublicKey());
            Long handshakeMs = peer.getLatestHandshakeMs();
            boolean never = handshakeMs == null || handshakeMs <= 0;
            double ageS = never ? Double.NaN : Math.max(0, nowMs - handshakeMs) / 1000.0;
            boolean stale = never || nowMs - handshakeMs > maxAgeMs;
            Integer keepalive = peer.getPersistentKeepaliveS();
            // a keepalive expects traffic only towards a peer this side can reach: without an endpoint (a roaming
            // client that has not connected yet, on a hub) WireGuard sends nothing, keepalive or not
            boolean keptAlive = keepalive != null && keepalive > 0 && peer.getEndpoint() != null;
            Double tx = rate.txBytesPerSec();
            boolean sending = tx != null && tx > 0;
            Map<String, Double> evidence = evidence(rate, ageS, never, keptAlive);
            if (!stale) {
                findings.add(Finding.good(HotspotType.TUNNEL_DOWN, target, 0, evidence));
            } else if (sending || keptAlive) {
                findings.add(new Finding(HotspotType.TUNNEL_DOWN, target, true, Severity.CRITICAL, 1, evidence,
                        summary(rate, target, ageS, never, sending, keepalive)));
            } else if (tx != null && intervalMs >= windowMs) {
                findings.add(Finding.good(HotspotType.TUNNEL_DOWN, target, 0, evidence));
            }
            // else unknown: no tx rate, or too short an interval to call a silent peer idle
        }
        return findings;
    }

    private static Map<String, Double> evidence(WireguardRates.PeerRate rate, double ageS, boolean never,
                                                boolean keptAlive) {
        Map<String, Double> evidence = new HashMap<>();
        evidence.put("handshakeNever", never ? 1.0 : 0.0);
        if (!never) {
            evidence.put("handshakeAgeS", ageS);
        }
        if (rate.txBytesPerSec() != null) {
            evidence.put("txBytesPerSec", rate.txBytesPerSec());
            evidence.put("rxBytesPerSec", rate.rxBytesPerSec());
        }
        if (keptAlive) {
            evidence.put("persistentKeepaliveS", rate.peer().getPersistentKeepaliveS().doubleValue());
        }
        evidence.put("allowedIps", (double) rate.peer().getAllowedIps());
        return evidence;
    }

    private String summary(WireguardRates.PeerRate rate, String target, double ageS, boolean never, boolean sending,
                           Integer keepalive) {
        WireguardPeer peer = rate.peer();
        String handshake = never ? "has never completed a handshake"
                : String.format(Locale.ROOT, "last completed a handshake %.0f s ago (keys are rejected after %d s)",
                        ageS, maxAgeMs / 1000);
        String why = sending ? String.format(Locale.ROOT, "while %.0f B/s were sent to it", rate.txBytesPerSec())
                : "while its persistent keepalive (" + keepalive + " s) expects traffic";
        String endpoint = peer.getEndpoint() == null ? "no endpoint" : "endpoint " + peer.getEndpoint();
        return String.format(Locale.ROOT, "%s (%s, %s) %s %s: nothing passes through the tunnel", target,
                peer.getPublicKey(), endpoint, handshake, why);
    }
}
