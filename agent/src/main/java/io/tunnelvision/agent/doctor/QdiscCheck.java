package io.tunnelvision.agent.doctor;

import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.rules.rates.QdiscRates;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.Qdisc;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The egress queues of the tunnels and their underlays, from {@code tc -s qdisc}: a root qdisc that drops
 * (QDISC_DROPS), one that holds a standing queue (QDISC_BACKLOG), and a tunnel device whose txqueuelen 0 leaves no
 * queue at all (TXQUEUELEN_ZERO). The rules decide; this lists the interface's qdiscs as they were read.
 */
final class QdiscCheck implements Check {

    @Override
    public String name() {
        return "qdisc";
    }

    @Override
    public Set<HotspotType> types() {
        return Set.of(HotspotType.QDISC_DROPS, HotspotType.QDISC_BACKLOG, HotspotType.TXQUEUELEN_ZERO);
    }

    @Override
    public String seen(Finding f, HostInterval interval) {
        StringBuilder seen = new StringBuilder(f.summary());
        QdiscRates rates = interval.qdiscRates();
        if (rates != null) {
            StringBuilder tree = new StringBuilder();
            for (QdiscRates.QdiscRate r : rates.qdiscs()) {
                if (!r.iface().equals(f.target())) {
                    continue;
                }
                Qdisc q = r.qdisc();
                tree.append(tree.isEmpty() ? "" : ", ").append(q.getKind()).append(' ').append(q.getHandle())
                        .append(q.getParent() == null ? " root" : " parent " + q.getParent())
                        .append(String.format(Locale.ROOT, " (%s dropped, backlog %d packets/%d bytes)",
                                r.dropsPerSec() == null ? "unknown" : Text.rate(r.dropsPerSec()),
                                q.getBacklogPackets(), q.getBacklogBytes()));
            }
            if (!tree.isEmpty()) {
                seen.append(" over ").append(Text.seconds(interval.seconds())).append("; its qdiscs: ").append(tree);
            }
        }
        return seen.toString();
    }

    @Override
    public String why(Finding f, List<Change> changes, HostInterval interval) {
        return switch (f.type()) {
            case TXQUEUELEN_ZERO -> "A tun device queues the packets its userspace reader (wireguard-go, OpenVPN) "
                    + "has not taken yet in a ring txqueuelen long, and a pfifo_fast, pfifo or bfifo root queues "
                    + "txqueuelen packets: at 0 every packet that finds the reader or the driver busy is dropped, "
                    + "and TCP over the tunnel backs off on each loss. "
                    + (changes.isEmpty() ? "The rules propose no change here: set txqueuelen back (`ip link set dev "
                            + f.target() + " txqueuelen 1000`)."
                            : "The proposed txqueuelen gives the ring room for a burst again.");
            case QDISC_DROPS -> "The qdisc at the root of this interface drops what overflows its queue (a fifo at "
                    + "its limit, a shaper's class behind its rate): every drop there costs the flow a retransmit "
                    + "timeout or a halved window, for traffic of the tunnel. Check the shaper's rate against the "
                    + "link's and the queue limits; the rules propose no change to a qdisc yet.";
            default -> "A queue that does not drain between bursts delays every packet behind it by its length: "
                    + "the backlog divided by the send rate is added to the tunnel's latency. An AQM root (fq_codel "
                    + "or cake) keeps the standing delay near 5 ms where the kernel has it; a shaper set below the "
                    + "traffic it carries keeps the queue full. The rules propose no change to a qdisc yet.";
        };
    }
}
