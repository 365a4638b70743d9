package io.tunnelvision.rules.rates;

import io.tunnelvision.schemas.avro.Nic;
import io.tunnelvision.schemas.avro.RateHeader;
import java.util.List;
import java.util.Objects;

/**
 * The NICs of one host over one interval: each NIC as the later sample shows it (rings, channels, coalescing), with
 * the rates of its receive drop counters. Not a published record (the contract has no NIC rates topic): the per-host
 * stage and the doctor make it from two samples and hand it to the detectors.
 *
 * @param header the interval, as for the published rates
 * @param nics   every NIC of the later sample, in its order
 */
public record NicRates(RateHeader header, List<NicRate> nics) {

    public NicRates {
        Objects.requireNonNull(header, "header");
        nics = List.copyOf(nics);
    }

    /**
     * One NIC over the interval.
     *
     * @param nic               as the later sample shows it
     * @param rxMissedPerSec    packets per second the NIC dropped before they reached a ring (its own buffer full:
     *                          {@code rx_missed}); null when unknown (the counter is not reported, the NIC is new in
     *                          this interval, or the counter went down), never 0 for "unknown"
     * @param rxNoBufferPerSec  packets per second dropped for want of a free descriptor in the ring
     *                          ({@code rx_no_buffer}, mlx5's out-of-buffer); null when unknown, as above
     */
    public record NicRate(Nic nic, Double rxMissedPerSec, Double rxNoBufferPerSec) {

        public NicRate {
            Objects.requireNonNull(nic, "nic");
        }

        public String iface() {
            return nic.getInterface$();
        }

        /** Missed and out-of-buffer drops together, over what is known; null when neither is. */
        public Double rxRingDropsPerSec() {
            if (rxMissedPerSec == null && rxNoBufferPerSec == null) {
                return null;
            }
            return (rxMissedPerSec == null ? 0 : rxMissedPerSec) + (rxNoBufferPerSec == null ? 0 : rxNoBufferPerSec);
        }
    }
}
