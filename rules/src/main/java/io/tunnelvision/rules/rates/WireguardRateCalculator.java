package io.tunnelvision.rules.rates;

import io.tunnelvision.schemas.avro.WireguardInterface;
import io.tunnelvision.schemas.avro.WireguardPeer;
import io.tunnelvision.schemas.avro.WireguardSample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Per-peer transfer rates of the WireGuard interfaces. The counters run since the interface was set up: either
 * going down means it was recreated, so that peer's rates are unknown (null) for the interval, never 0; a peer
 * that was not in the earlier sample has unknown rates too. Every peer of the later sample is listed, since its
 * handshake is judged whether or not its rates are known.
 */
public final class WireguardRateCalculator implements RateCalculator<WireguardSample, WireguardRates> {

    @Override
    public WireguardRates between(WireguardSample previous, WireguardSample current) {
        double seconds = RateHeaders.seconds(previous.getHeader(), current.getHeader());
        Map<String, WireguardPeer> before = new HashMap<>();
        for (WireguardInterface iface : previous.getInterfaces()) {
            for (WireguardPeer peer : iface.getPeers()) {
                before.put(key(iface, peer), peer);
            }
        }
        List<WireguardRates.PeerRate> peers = new ArrayList<>();
        for (WireguardInterface iface : current.getInterfaces()) {
            for (WireguardPeer now : iface.getPeers()) {
                WireguardPeer then = before.get(key(iface, now));
                OptionalLong tx = then == null ? OptionalLong.empty()
                        : Counters.delta64(then.getTxBytes(), now.getTxBytes());
                OptionalLong rx = then == null ? OptionalLong.empty()
                        : Counters.delta64(then.getRxBytes(), now.getRxBytes());
                boolean known = tx.isPresent() && rx.isPresent() && seconds > 0;
                peers.add(new WireguardRates.PeerRate(iface.getName(), now,
                        known ? tx.getAsLong() / seconds : null, known ? rx.getAsLong() / seconds : null));
            }
        }
        return new WireguardRates(RateHeaders.between(previous.getHeader(), current.getHeader()), peers);
    }

    private static String key(WireguardInterface iface, WireguardPeer peer) {
        return iface.getName() + "\n" + peer.getPublicKey();
    }
}
