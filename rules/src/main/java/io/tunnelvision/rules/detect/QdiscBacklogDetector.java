package io.tunnelvision.rules.detect;

import io.tunnelvision.rules.rates.QdiscRates;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.Qdisc;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A standing queue in the root qdisc of a tunnel or of the interface under it: packets were queued at both ends of
 * the interval, and the backlog now takes at least {@code qdiscStandingDelay} to drain at the rate the qdisc sent
 * over the interval (its queueing delay, which every packet through it waits). A queue that drains between bursts
 * is empty at one end or the other; a backlog with nothing sent over the interval is a stuck queue (delay unbounded,
 * reported as 10 s). With {@code openAfter} such intervals in a row the queue stood across that many samples.
 *
 * <p>The metric is the delay in milliseconds, the number fq_codel brings down (CoDel holds a queue's standing delay
 * near its 5 ms target); a backlog whose earlier size or send rate is unknown gives no finding.
 */
public final class QdiscBacklogDetector {

    /** What a backlog that did not drain at all over the interval is reported as, in ms. */
    static final double STUCK_MS = 10_000;

    private final double thresholdMs;

    public QdiscBacklogDetector(DetectionThresholds thresholds) {
        this.thresholdMs = thresholds.qdiscStandingDelay().toNanos() / 1e6;
    }

    public List<Finding> evaluate(QdiscRates rates, InterfaceConfigSample config) {
        List<Finding> findings = new ArrayList<>();
        if (rates == null) {
            return findings;
        }
        Set<String> watched = Tunnels.tunnelsAndUnderlays(config);
        for (QdiscRates.QdiscRate root : rates.roots()) {
            if (!watched.contains(root.iface()) || root.previousBacklogPackets() == null
                    || root.bytesPerSec() == null) {
                continue;
            }
            Qdisc q = root.qdisc();
            boolean standing = root.previousBacklogPackets() > 0 && q.getBacklogPackets() > 0;
            double delayMs = !standing ? 0
                    : root.bytesPerSec() > 0 ? Math.min(STUCK_MS, q.getBacklogBytes() * 1000.0 / root.bytesPerSec())
                    : STUCK_MS;
            Map<String, Double> evidence = new HashMap<>();
            evidence.put("backlogDelayMs", delayMs);
            evidence.put("backlogPackets", (double) q.getBacklogPackets());
            evidence.put("backlogBytes", (double) q.getBacklogBytes());
            evidence.put("previousBacklogPackets", root.previousBacklogPackets().doubleValue());
            evidence.put("bytesPerSec", root.bytesPerSec());
            if (standing && delayMs >= thresholdMs) {
                findings.add(Finding.bad(HotspotType.QDISC_BACKLOG, root.iface(), delayMs, thresholdMs, evidence,
                        String.format(Locale.ROOT, "%s's root qdisc %s holds a standing queue: %d packets (%d bytes)"
                                + " now and %d at the start of the interval, %.0f ms of sending at %.0f B/s",
                                root.iface(), q.getKind(), q.getBacklogPackets(), q.getBacklogBytes(),
                                root.previousBacklogPackets(), delayMs, root.bytesPerSec())));
            } else {
                findings.add(Finding.good(HotspotType.QDISC_BACKLOG, root.iface(), delayMs, evidence));
            }
        }
        return findings;
    }
}
