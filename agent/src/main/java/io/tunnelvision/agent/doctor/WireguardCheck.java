package io.tunnelvision.agent.doctor;

import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.rules.rates.WireguardRates;
import io.tunnelvision.schemas.avro.HotspotType;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A WireGuard peer whose handshake is older than REJECT_AFTER_TIME while traffic to it is expected: the rules'
 * TUNNEL_DOWN. The rules decide; this says what it means and where to look. There is nothing to change on this host
 * that the rules could propose: the fault is the path to the peer, the peer, or the keys.
 */
final class WireguardCheck implements Check {

    @Override
    public String name() {
        return "wireguard";
    }

    @Override
    public Set<HotspotType> types() {
        return Set.of(HotspotType.TUNNEL_DOWN);
    }

    /** {@code wg0 peer TrMvSoP4...}: the rules' target, marked as a shortened key (in ASCII, for any terminal). */
    @Override
    public String subject(Finding finding) {
        return finding.target() + "...";
    }

    @Override
    public String seen(Finding f, HostInterval interval) {
        var e = f.evidence();
        WireguardRates.PeerRate peer = interval.peer(f.target()).orElse(null);
        StringBuilder seen = new StringBuilder(f.target());
        if (peer != null) {
            seen.append(" (").append(peer.peer().getPublicKey()).append(", endpoint ")
                    .append(peer.peer().getEndpoint() == null ? "none" : peer.peer().getEndpoint()).append(')');
        }
        seen.append(e.getOrDefault("handshakeNever", 0.0) > 0 ? ": no handshake ever completed"
                : String.format(Locale.ROOT, ": latest handshake %.0f s ago", e.get("handshakeAgeS")));
        if (e.containsKey("txBytesPerSec")) {
            seen.append(String.format(Locale.ROOT, "; sent %.1f B/s and received %.1f B/s over %s",
                    e.get("txBytesPerSec"), e.get("rxBytesPerSec"), Text.seconds(interval.seconds())));
        } else {
            seen.append("; transfer unknown over ").append(Text.seconds(interval.seconds()))
                    .append(" (a counter went down: the interface was set up again)");
        }
        if (e.containsKey("persistentKeepaliveS")) {
            seen.append(String.format(Locale.ROOT, "; persistent keepalive every %.0f s",
                    e.get("persistentKeepaliveS")));
        }
        return seen.toString();
    }

    @Override
    public String why(Finding f, List<Change> changes, HostInterval interval) {
        return "WireGuard rejects a session's keys 180 s after its handshake (REJECT_AFTER_TIME) and retries the "
                + "handshake every 5 s while it has something to send; a peer that does not answer gets nothing "
                + "through, so every flow over this tunnel stalls. Check, in order: that the endpoint answers on UDP "
                + "(its port open on the peer and on every firewall or NAT between, `tcpdump -ni any udp port "
                + "<port>` shows initiations going out and nothing back), that both sides have each other's current "
                + "public key and the allowed IPs, that the peer's clock is right (a handshake with a timestamp older "
                + "than the last one seen is ignored), and what `wg show` says on both ends. No setting of this host "
                + "fixes it, so the rules propose no command.";
    }
}
