package io.tunnelvision.rules.rates;

import io.tunnelvision.schemas.avro.Qdisc;
import io.tunnelvision.schemas.avro.RateHeader;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The qdiscs of one host over one interval: each qdisc as the later sample shows it, with its rates and the backlog
 * it had at the start. Not a published record (the contract has no qdisc rates topic): the per-host stage and the
 * doctor make it from two samples and hand it to the detectors.
 *
 * @param header  the interval, as for the published rates
 * @param qdiscs  every qdisc of the later sample (root and children), in its order
 */
public record QdiscRates(RateHeader header, List<QdiscRate> qdiscs) {

    public QdiscRates {
        Objects.requireNonNull(header, "header");
        qdiscs = List.copyOf(qdiscs);
    }

    /** The interval's length in seconds. */
    public double seconds() {
        return (header.getToMs() - header.getFromMs()) / 1000.0;
    }

    /** The root qdiscs, one per interface that has one, in the sample's order. */
    public List<QdiscRate> roots() {
        return qdiscs.stream().filter(q -> q.qdisc().getParent() == null).toList();
    }

    /** The root qdisc of {@code iface}. */
    public Optional<QdiscRate> root(String iface) {
        return roots().stream().filter(q -> q.qdisc().getInterface$().equals(iface)).findFirst();
    }

    /**
     * One qdisc over the interval.
     *
     * @param qdisc                  as the later sample shows it (kind, counters, backlog now)
     * @param previousBacklogPackets its backlog in the earlier sample; null when it was not there (new, or replaced)
     * @param previousBacklogBytes   as above, in bytes
     * @param dropsPerSec            null when unknown: new in this interval, or a counter went down (the qdisc was
     *                               replaced), never 0 for "unknown"
     * @param bytesPerSec            bytes it sent per second; null when unknown, as above
     * @param overlimitsPerSec       null when unknown, as above
     */
    public record QdiscRate(Qdisc qdisc, Long previousBacklogPackets, Long previousBacklogBytes, Double dropsPerSec,
                            Double bytesPerSec, Double overlimitsPerSec) {

        public QdiscRate {
            Objects.requireNonNull(qdisc, "qdisc");
        }

        public String iface() {
            return qdisc.getInterface$();
        }
    }
}
