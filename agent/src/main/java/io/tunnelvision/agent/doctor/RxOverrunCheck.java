package io.tunnelvision.agent.doctor;

import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterfaceKind;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Receive overruns and FIFO errors: the NIC's receive ring filled before the softirq emptied it (the manual's
 * "overruns: the kernel is unable to schedule the Soft-IRQ fast enough").
 */
final class RxOverrunCheck implements Check {

    @Override
    public String name() {
        return "rx-overruns";
    }

    @Override
    public Set<HotspotType> types() {
        return Set.of(HotspotType.RX_OVERRUNS);
    }

    @Override
    public String seen(Finding f, HostInterval interval) {
        var e = f.evidence();
        return String.format(Locale.ROOT, "%s: rx overruns and fifo errors %s against %s packets/s received over %s",
                f.target(), Text.rate(e.get("rxOverrunsPerSec")), Text.rate(e.get("rxPacketsPerSec")).replace("/s",
                        ""), Text.seconds(interval.seconds()));
    }

    @Override
    public String why(Finding f, List<Change> changes, HostInterval interval) {
        boolean physical = interval.iface(f.target()).map(i -> i.getKind() == InterfaceKind.PHYSICAL).orElse(false);
        return "The receive ring was full when packets arrived, so the device dropped them: the softirq that empties "
                + "the ring ran too late or too rarely. "
                + (changes.isEmpty() ? "" : "A longer softirq time budget lets each pass empty more of the ring. ")
                + (physical ? "A bigger ring (up to the NIC's pre-set maximum, see ethtool -g " + f.target()
                        + ") rides out the gaps; spreading the queues' interrupts (irq-distribution) shortens them."
                        : "A virtual device has no ring to enlarge: spread the softirq work (rps, irq-distribution).");
    }
}
