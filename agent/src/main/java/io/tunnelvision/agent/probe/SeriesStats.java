package io.tunnelvision.agent.probe;

import io.tunnelvision.schemas.avro.ProbePath;
import io.tunnelvision.schemas.avro.ProbeStats;

/**
 * One interval of one probe series (peer, path, size): how many probes went out, and the round-trip times of
 * those that came back, in the order they came back. Pure arithmetic; the caller synchronizes.
 */
public final class SeriesStats {

    private int sent;
    private int received;
    private long minUs = Long.MAX_VALUE;
    private long maxUs;
    private long sumUs;
    private long previousUs = -1;
    private long jitterSumUs;

    public void sent() {
        sent++;
    }

    /** A reply; more replies than probes (a duplicate that slipped through) are ignored. */
    public void received(long rttUs) {
        if (received >= sent) {
            return;
        }
        long rtt = Math.max(0, rttUs);
        received++;
        minUs = Math.min(minUs, rtt);
        maxUs = Math.max(maxUs, rtt);
        sumUs += rtt;
        if (previousUs >= 0) {
            jitterSumUs += Math.abs(rtt - previousUs);
        }
        previousUs = rtt;
    }

    public int sentCount() {
        return sent;
    }

    public int receivedCount() {
        return received;
    }

    /**
     * The interval's figures: RTTs are null when nothing came back, jitter (mean absolute difference of
     * consecutive RTTs) needs two replies, loss is 0 when nothing was sent.
     */
    public ProbeStats toStats(ProbePath path, String address, int sizeBytes) {
        boolean any = received > 0;
        return ProbeStats.newBuilder()
                .setPath(path)
                .setAddress(address)
                .setSizeBytes(sizeBytes)
                .setSent(sent)
                .setReceived(received)
                .setRttMinUs(any ? minUs : null)
                .setRttAvgUs(any ? Math.round((double) sumUs / received) : null)
                .setRttMaxUs(any ? maxUs : null)
                .setJitterUs(received > 1 ? Math.round((double) jitterSumUs / (received - 1)) : null)
                .setLossRatio(sent == 0 ? 0 : (double) (sent - received) / sent)
                .build();
    }
}
