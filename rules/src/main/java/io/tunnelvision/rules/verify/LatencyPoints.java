package io.tunnelvision.rules.verify;

import io.tunnelvision.schemas.avro.LatencySample;
import io.tunnelvision.schemas.avro.PeerLatency;
import io.tunnelvision.schemas.avro.ProbePath;
import io.tunnelvision.schemas.avro.ProbeStats;
import io.tunnelvision.rules.avro.LatencyPoint;

/** What verification keeps of a latency sample: round trips through and around the tunnels, large-probe loss. */
final class LatencyPoints {

    private LatencyPoints() {
    }

    /**
     * The mean overlay and underlay round trips over every peer and size, weighted by replies (null when none
     * came back), and the worst loss of each peer's largest overlay probes (the ones an MTU problem fragments or
     * drops).
     */
    static LatencyPoint of(LatencySample sample) {
        double[] sum = new double[2];
        long[] replies = new long[2];
        double largeLoss = 0;
        for (PeerLatency peer : sample.getPeers()) {
            int largest = peer.getProbes().stream().filter(p -> p.getPath() == ProbePath.OVERLAY)
                    .mapToInt(ProbeStats::getSizeBytes).max().orElse(-1);
            for (ProbeStats probe : peer.getProbes()) {
                int path = probe.getPath() == ProbePath.OVERLAY ? 0 : 1;
                if (probe.getRttAvgUs() != null && probe.getReceived() > 0) {
                    sum[path] += (double) probe.getRttAvgUs() * probe.getReceived();
                    replies[path] += probe.getReceived();
                }
                if (path == 0 && probe.getSizeBytes() == largest && probe.getSent() > 0) {
                    largeLoss = Math.max(largeLoss, probe.getLossRatio());
                }
            }
        }
        return LatencyPoint.newBuilder().setOverlayRttUs(replies[0] == 0 ? null : sum[0] / replies[0])
                .setUnderlayRttUs(replies[1] == 0 ? null : sum[1] / replies[1]).setLargeProbeLoss(largeLoss)
                .setIntervalMs(sample.getIntervalMs()).build();
    }

    /** What the tunnel adds to a round trip: overlay minus underlay, null without both. */
    static Double tunnelCostUs(LatencyPoint point) {
        return point.getOverlayRttUs() == null || point.getUnderlayRttUs() == null ? null
                : point.getOverlayRttUs() - point.getUnderlayRttUs();
    }
}
