package io.tunnelvision.rules.detect;

import io.tunnelvision.rules.rates.NicRates;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.Nic;
import io.tunnelvision.schemas.avro.Severity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A NIC that drops received packets for want of ring space while its ring could be larger: {@code rx_missed} (its
 * own buffer overflowed because the ring had no free descriptor to move packets to) and {@code rx_no_buffer} (mlx5's
 * out-of-buffer, ixgbe's no-buffer count) rise by at least {@code nicRxDropsPerSec}, and the current RX ring is below
 * the maximum the device reports ({@code ethtool -g}). With the ring at its maximum a larger one is no remedy (the
 * CPU does not drain it: the softirq detectors say why), so that NIC gets no finding of this kind; a NIC that
 * reports no rings (veth, virtio_net before 5.x) neither, nor one whose drop counters are unknown this interval.
 *
 * <p>Metric: the drops per second. Remedy (RX_RING, {@code recommendedRxRing}): double the ring, at most to its
 * maximum: a ring absorbs a burst as long as the ring's size in packets, so doubling halves the drops of a burst it
 * nearly held, and drivers allocate rings in powers of two.
 */
public final class NicRxDropDetector {

    private final DetectionThresholds thresholds;

    public NicRxDropDetector(DetectionThresholds thresholds) {
        this.thresholds = thresholds;
    }

    /** The RX ring to try next: twice the current, at most the maximum; null when at or above it. */
    public static Integer recommendedRxRing(int current, int max) {
        if (current >= max) {
            return null;
        }
        return (int) Math.min((long) max, Math.max(1L, 2L * current));
    }

    public List<Finding> evaluate(NicRates rates) {
        List<Finding> findings = new ArrayList<>();
        if (rates == null) {
            return findings;
        }
        for (NicRates.NicRate rate : rates.nics()) {
            Nic nic = rate.nic();
            Double drops = rate.rxRingDropsPerSec();
            if (drops == null || nic.getRxRing() == null || nic.getRxRingMax() == null) {
                continue;
            }
            int ring = nic.getRxRing();
            int max = nic.getRxRingMax();
            Map<String, Double> evidence = new HashMap<>();
            evidence.put("rxRingDropsPerSec", drops);
            if (rate.rxMissedPerSec() != null) {
                evidence.put("rxMissedPerSec", rate.rxMissedPerSec());
            }
            if (rate.rxNoBufferPerSec() != null) {
                evidence.put("rxNoBufferPerSec", rate.rxNoBufferPerSec());
            }
            evidence.put("rxRing", (double) ring);
            evidence.put("rxRingMax", (double) max);
            Integer next = recommendedRxRing(ring, max);
            if (drops < thresholds.nicRxDropsPerSec() || next == null) {
                findings.add(Finding.good(HotspotType.NIC_RX_DROPS, rate.iface(), drops, evidence));
                continue;
            }
            evidence.put("recommendedRxRing", (double) next);
            Severity severity = drops >= 10 * thresholds.nicRxDropsPerSec() ? Severity.CRITICAL : Severity.WARNING;
            findings.add(new Finding(HotspotType.NIC_RX_DROPS, rate.iface(), true, severity, drops, evidence,
                    String.format(Locale.ROOT, "%s drops %.1f received packets/s for want of ring space (missed "
                                    + "or out of buffer) with its RX ring at %d of %d: a ring of %d holds longer bursts",
                            rate.iface(), drops, ring, max, next)));
        }
        return findings;
    }
}
