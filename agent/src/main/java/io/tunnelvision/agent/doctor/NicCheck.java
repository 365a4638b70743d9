package io.tunnelvision.agent.doctor;

import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.schemas.avro.HotspotType;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The NICs as ethtool shows them, judged by the rules' NIC detectors: receive drops while the ring could grow
 * (NIC_RX_DROPS), one channel where more are possible (NIC_SINGLE_CHANNEL), coalescing that holds packets back
 * (NIC_COALESCING), and a queue's interrupt rate against the si% of its CPU (NIC_IRQ_RATE). The rules decide and
 * recommend; this says what was seen and why it matters, with the ethtool command that changes it.
 */
final class NicCheck implements Check {

    @Override
    public String name() {
        return "nic";
    }

    @Override
    public Set<HotspotType> types() {
        return Set.of(HotspotType.NIC_RX_DROPS, HotspotType.NIC_SINGLE_CHANNEL, HotspotType.NIC_COALESCING,
                HotspotType.NIC_IRQ_RATE);
    }

    @Override
    public String seen(Finding f, HostInterval interval) {
        Map<String, Double> e = f.evidence();
        return switch (f.type()) {
            case NIC_RX_DROPS -> String.format(Locale.ROOT, "%s dropped %.1f received packets/s (missed %s, out of "
                            + "buffer %s) with its RX ring at %d of a possible %d (ethtool -g, ethtool -S)", f.target(),
                    e.get("rxRingDropsPerSec"), perSec(e.get("rxMissedPerSec")), perSec(e.get("rxNoBufferPerSec")),
                    e.get("rxRing").intValue(), e.get("rxRingMax").intValue());
            case NIC_SINGLE_CHANNEL -> String.format(Locale.ROOT, "%s runs %d %s channel of %d possible, on %d CPUs "
                            + "(ethtool -l)", f.target(), e.get("channels").intValue(),
                    e.get("combined") > 0 ? "combined" : "RX", e.get("channelsMax").intValue(), e.get("cpus").intValue());
            case NIC_COALESCING -> String.format(Locale.ROOT, "%s: rx-usecs %d with adaptive-rx off (ethtool -c)",
                    f.target(), e.get("rxUsecs").intValue());
            case NIC_IRQ_RATE -> String.format(Locale.ROOT, "%s: %.0f interrupts/s, mostly on CPU %d, which spends "
                            + "%.0f%% of its time in softirqs", f.target(), e.get("irqPerSec"), e.get("cpu").intValue(),
                    100 * e.get("softirqShare"));
            default -> f.summary();
        };
    }

    @Override
    public String why(Finding f, List<Change> changes, HostInterval interval) {
        Map<String, Double> e = f.evidence();
        return switch (f.type()) {
            case NIC_RX_DROPS -> "The NIC writes received packets into the ring's free buffers; when the CPU has not "
                    + "yet emptied the ring, a burst finds no buffer and the NIC drops it before the kernel sees it "
                    + "(no counter of the interface's own shows it). A larger ring holds a longer burst: ethtool -G "
                    + f.target() + " rx " + e.get("recommendedRxRing").intValue() + ". If the drops go on at the "
                    + "maximum, the CPU is too slow to drain it: spread the queues.";
            case NIC_SINGLE_CHANNEL -> "With one channel the NIC has one receive queue and one interrupt, so one CPU "
                    + "does all of its receive work however many the host has: RSS spreads flows only across "
                    + "queues. " + (e.get("combined") > 0
                    ? "ethtool -L " + f.target() + " combined " + e.get("recommendedChannels").intValue()
                    : "ethtool -L " + f.target() + " rx " + e.get("recommendedChannels").intValue() + " tx "
                            + e.get("recommendedChannels").intValue() + " (the device has no combined channels)")
                    + " gives each CPU a queue.";
            case NIC_COALESCING -> "With adaptive-rx off the NIC waits rx-usecs after a packet before it interrupts, "
                    + "whatever the load: a lone packet (a TCP ACK, a DNS answer, a handshake) waits the whole "
                    + "time, on each NIC it crosses. ethtool -C " + f.target() + " rx-usecs "
                    + e.get("recommendedRxUsecs").intValue() + ", or adaptive-rx on, lets sparse traffic through "
                    + "at once while bursts are still batched.";
            case NIC_IRQ_RATE -> "Each interrupt costs its CPU an entry and exit and a NAPI poll that may find a "
                    + "packet or two; above 10,000 a second on a CPU already busy with softirqs that overhead takes "
                    + "time the packets need. More coalescing (rx-usecs up, or adaptive-rx on) batches more packets "
                    + "per interrupt.";
            default -> f.summary();
        };
    }

    private static String perSec(Double value) {
        return value == null ? "not reported" : String.format(Locale.ROOT, "%.1f/s", value);
    }
}
