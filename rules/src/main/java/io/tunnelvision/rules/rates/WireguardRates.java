package io.tunnelvision.rules.rates;

import io.tunnelvision.schemas.avro.RateHeader;
import io.tunnelvision.schemas.avro.WireguardPeer;
import java.util.List;
import java.util.Objects;

/**
 * The WireGuard peers of one host over one interval: each peer as the later sample shows it, with its transfer
 * rates. Not a published record (the contract has no WireGuard rates topic): the per-host stage and the doctor
 * make it from two samples and hand it to the detector.
 *
 * @param header the interval, as for the published rates
 * @param peers  every peer of the later sample, in its order
 */
public record WireguardRates(RateHeader header, List<PeerRate> peers) {

    public WireguardRates {
        Objects.requireNonNull(header, "header");
        peers = List.copyOf(peers);
    }

    /** The interval's length in seconds. */
    public double seconds() {
        return (header.getToMs() - header.getFromMs()) / 1000.0;
    }

    /**
     * One peer over the interval.
     *
     * @param iface         the WireGuard interface
     * @param peer          the peer as the later sample shows it (handshake, endpoint, keepalive, counters)
     * @param txBytesPerSec bytes sent to it per second; null when unknown: the peer is new in this interval or a
     *                      counter went down (the interface was recreated), never 0 for "unknown"
     * @param rxBytesPerSec bytes received from it per second; null when unknown, as above
     */
    public record PeerRate(String iface, WireguardPeer peer, Double txBytesPerSec, Double rxBytesPerSec) {

        public PeerRate {
            Objects.requireNonNull(iface, "iface");
            Objects.requireNonNull(peer, "peer");
            if ((txBytesPerSec == null) != (rxBytesPerSec == null)) {
                throw new IllegalArgumentException("tx and rx rates are known together or not at all");
            }
        }
    }
}
