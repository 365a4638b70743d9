package io.tunnelvision.lab;

import io.tunnelvision.schemas.avro.LatencySample;
import io.tunnelvision.schemas.avro.PeerLatency;
import io.tunnelvision.schemas.avro.ProbePath;
import io.tunnelvision.schemas.avro.ProbeStats;
import java.util.List;
import java.util.Locale;

/**
 * Over several latency samples of one gateway: mean RTT (µs, weighted by replies) and lowest RTT of the small and
 * the large probes over the overlay and the underlay, and the loss of the large overlay probes. On a loaded
 * machine the means are mostly scheduling delay; the lowest RTTs show what the path itself costs.
 */
record LatencyFigures(int samples, int largeSize, double overlaySmallUs, double overlayLargeUs,
                      double underlaySmallUs, double underlayLargeUs, double overlayLargeLoss, long[] minUs) {

    static LatencyFigures of(List<LatencySample> samples) {
        double[] sum = new double[4];
        long[] n = new long[4];
        long[] min = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
        long largeSent = 0;
        long largeReceived = 0;
        int largeSize = 0;
        for (LatencySample sample : samples) {
            for (PeerLatency peer : sample.getPeers()) {
                int biggest = peer.getProbes().stream().mapToInt(ProbeStats::getSizeBytes).max().orElse(0);
                for (ProbeStats p : peer.getProbes()) {
                    boolean large = p.getSizeBytes() == biggest;
                    int slot = (p.getPath() == ProbePath.OVERLAY ? 0 : 2) + (large ? 1 : 0);
                    if (p.getRttAvgUs() != null) {
                        sum[slot] += (double) p.getRttAvgUs() * p.getReceived();
                        n[slot] += p.getReceived();
                        min[slot] = Math.min(min[slot], p.getRttMinUs());
                    }
                    if (large && p.getPath() == ProbePath.OVERLAY) {
                        largeSent += p.getSent();
                        largeReceived += p.getReceived();
                        largeSize = p.getSizeBytes();
                    }
                }
            }
        }
        return new LatencyFigures(samples.size(), largeSize, mean(sum[0], n[0]), mean(sum[1], n[1]),
                mean(sum[2], n[2]), mean(sum[3], n[3]),
                largeSent == 0 ? 0 : (double) (largeSent - largeReceived) / largeSent, min);
    }

    private static double mean(double sum, long n) {
        return n == 0 ? Double.NaN : sum / n;
    }

    String describe() {
        return String.format(Locale.ROOT, "%d samples, large probe %d B: mean RTT overlay small/large %.0f/%.0f us,"
                + " underlay small/large %.0f/%.0f us; lowest RTT overlay small/large %d/%d us, underlay small/large"
                + " %d/%d us; large overlay loss %.3f", samples, largeSize, overlaySmallUs, overlayLargeUs,
                underlaySmallUs, underlayLargeUs, minUs[0], minUs[1], minUs[2], minUs[3], overlayLargeLoss);
    }
}
