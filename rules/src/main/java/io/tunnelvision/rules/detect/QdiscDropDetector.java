package io.tunnelvision.rules.detect;

import io.tunnelvision.rules.rates.QdiscRates;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.Qdisc;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The root qdisc of a tunnel, or of the interface under a tunnel, drops packets: its queue overflows (a fifo at its
 * limit, a shaper's queue behind its rate). The root's counters include its children's drops (a classful qdisc
 * counts what its classes' qdiscs drop, mq sums its queues), so one finding per interface; the child that dropped
 * most is named in the summary. A drop rate that is unknown (the qdisc is new in the interval, or was replaced)
 * gives no finding.
 *
 * <p>An AQM's drops are not counted (a root that is one, or its share in a root's count from the AQM children under
 * it, as mq's fq_codel queues): CoDel drops at the head of a queue whose packets waited longer than its target, on
 * purpose, to tell TCP to slow down (RFC 8289), so they are what a standing queue's remedy, fq_codel, does rather
 * than an overflow; counting them would also roll that remedy back as a new hotspot opened in its window.
 */
public final class QdiscDropDetector {

    /** Qdiscs that drop to keep a queue's delay down (active queue management), not because it overflowed. */
    static final Set<String> AQM = Set.of("fq_codel", "codel", "cake", "pie", "fq_pie");

    private final double threshold;

    public QdiscDropDetector(DetectionThresholds thresholds) {
        this.threshold = thresholds.qdiscDropsPerSec();
    }

    public List<Finding> evaluate(QdiscRates rates, InterfaceConfigSample config) {
        List<Finding> findings = new ArrayList<>();
        if (rates == null) {
            return findings;
        }
        Set<String> watched = Tunnels.tunnelsAndUnderlays(config);
        for (QdiscRates.QdiscRate root : rates.roots()) {
            Double drops = overflowDropsPerSec(rates, root);
            if (drops == null || !watched.contains(root.iface())) {
                continue;
            }
            Qdisc q = root.qdisc();
            Map<String, Double> evidence = new HashMap<>();
            evidence.put("dropsPerSec", drops);
            evidence.put("backlogPackets", (double) q.getBacklogPackets());
            if (root.bytesPerSec() != null) {
                evidence.put("bytesPerSec", root.bytesPerSec());
            }
            if (root.overlimitsPerSec() != null) {
                evidence.put("overlimitsPerSec", root.overlimitsPerSec());
            }
            Tunnels.find(config, root.iface()).map(InterfaceConfig::getTxQueueLen)
                    .ifPresent(len -> evidence.put("txQueueLen", len.doubleValue()));
            if (drops >= threshold) {
                findings.add(Finding.bad(HotspotType.QDISC_DROPS, root.iface(), drops, threshold, evidence,
                        String.format(Locale.ROOT, "%s's root qdisc %s %s drops %.1f packets/s%s", root.iface(),
                                q.getKind(), q.getHandle(), drops, worstChild(rates, root.iface()))));
            } else {
                findings.add(Finding.good(HotspotType.QDISC_DROPS, root.iface(), drops, evidence));
            }
        }
        return findings;
    }

    /**
     * The root's drops less those of the AQM qdiscs under it (0 for an AQM root); null when a rate it needs is
     * unknown.
     */
    private static Double overflowDropsPerSec(QdiscRates rates, QdiscRates.QdiscRate root) {
        if (root.dropsPerSec() == null) {
            return null;
        }
        if (AQM.contains(root.qdisc().getKind())) {
            return 0.0;
        }
        double drops = root.dropsPerSec();
        for (QdiscRates.QdiscRate q : rates.qdiscs()) {
            if (q.iface().equals(root.iface()) && q.qdisc().getParent() != null
                    && AQM.contains(q.qdisc().getKind())) {
                if (q.dropsPerSec() == null) {
                    return null;
                }
                drops -= q.dropsPerSec();
            }
        }
        return Math.max(0, drops);
    }

    /** ", most of them in its child pfifo 10: (parent 1:10)", or nothing when no child dropped. */
    private static String worstChild(QdiscRates rates, String iface) {
        QdiscRates.QdiscRate worst = null;
        for (QdiscRates.QdiscRate q : rates.qdiscs()) {
            if (q.iface().equals(iface) && q.qdisc().getParent() != null && q.dropsPerSec() != null
                    && q.dropsPerSec() > 0 && (worst == null || q.dropsPerSec() > worst.dropsPerSec())) {
                worst = q;
            }
        }
        return worst == null ? "" : String.format(Locale.ROOT, ", %.1f/s of them in its child %s %s (parent %s)",
                worst.dropsPerSec(), worst.qdisc().getKind(), worst.qdisc().getHandle(), worst.qdisc().getParent());
    }
}
