package io.tunnelvision.agent.doctor;

import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.LinkCounters;
import io.tunnelvision.schemas.avro.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Receive overruns and FIFO errors: the NIC's receive ring filled before the softirq emptied it (the manual's
 * "overruns: the kernel is unable to schedule the Soft-IRQ fast enough").
 */
final class RxOverrunCheck implements Check {

    /** Overruns per second at which loss is steady rather than the odd burst. */
    static final double CRITICAL_RATE = 10;

    @Override
    public String name() {
        return "rx-overruns";
    }

    @Override
    public List<Finding> examine(HostInterval interval) {
        List<Finding> findings = new ArrayList<>();
        for (InterfaceConfig iface : interval.interfaces()) {
            String name = iface.getName();
            long over = interval.linkDelta(name, LinkCounters::getRxOverErrors);
            long fifo = interval.linkDelta(name, LinkCounters::getRxFifoErrors);
            if (over + fifo == 0) {
                continue;
            }
            long packets = interval.linkDelta(name, LinkCounters::getRxPackets);
            double rate = interval.perSecond(over + fifo);
            String seen = String.format(Locale.ROOT, "%s: rx overruns +%d, rx fifo errors +%d, against %d packets "
                    + "received in %s (%s lost)", name, over, fifo, packets, Text.seconds(interval.seconds()),
                    Text.rate(rate));
            boolean physical = iface.getKind() == InterfaceKind.PHYSICAL;
            String why = "The receive ring was full when packets arrived, so the NIC dropped them: the softirq that "
                    + "empties the ring ran too late or too rarely. "
                    + (physical ? "A bigger ring (up to the NIC's pre-set maximum, see ethtool -g) rides out the "
                            + "gaps; spreading the queues' interrupts (irq-distribution) shortens them."
                            : "A virtual device has no ring to enlarge: spread the softirq work (rps, "
                                    + "irq-distribution).");
            String fix = physical ? "ethtool -G " + name + " rx $(ethtool -g " + name
                    + " | awk '/^RX:/ {print $2; exit}')" : "";
            findings.add(new Finding(name(), rate >= CRITICAL_RATE ? Severity.CRITICAL : Severity.WARNING, name, seen,
                    why, fix));
        }
        return findings;
    }
}
