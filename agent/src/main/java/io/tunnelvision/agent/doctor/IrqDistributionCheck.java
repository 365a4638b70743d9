package io.tunnelvision.agent.doctor;

import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.schemas.avro.HotspotType;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A device's hard interrupts piling onto one CPU while the others idle: the manual's "only one core is
 * incrementing" hotspot. Which rows form a device, and which IRQ moves where, are the rules' call.
 */
final class IrqDistributionCheck implements Check {

    @Override
    public String name() {
        return "irq-distribution";
    }

    @Override
    public Set<HotspotType> types() {
        return Set.of(HotspotType.IRQ_CONCENTRATION);
    }

    @Override
    public String seen(Finding f, HostInterval interval) {
        var e = f.evidence();
        return String.format(Locale.ROOT, "%s took %s interrupts over %s on %d queues; cpu%d took %s of them",
                f.target(), Text.rate(e.get("irqPerSec")), Text.seconds(interval.seconds()),
                e.getOrDefault("queues", 0.0).intValue(), e.get("topCpu").intValue(),
                Text.percent(100 * e.get("topCpuShare")));
    }

    /** The IRQs the change set moves, for irqbalance's ban list. */
    private static String movedIrqs(List<Change> changes) {
        return changes.isEmpty() ? "N" : changes.get(0).target();
    }

    @Override
    public String why(Finding f, List<Change> changes, HostInterval interval) {
        int top = f.evidence().get("topCpu").intValue();
        return "The interrupts of " + f.target() + " land on cpu" + top + ", so its hard IRQs and the NET_RX "
                + "softirqs they raise (decryption and decapsulation of tunnel traffic included) queue up on one core "
                + "while the others idle; packets wait for that core. Giving each queue's IRQ a CPU of its own "
                + "(NUMA-local first) lets them run in parallel"
                + (interval.facts().irqbalanceRunning()
                        ? ". irqbalance is running and rewrites affinities about every 10 s: ban the IRQ from it "
                                + "(IRQBALANCE_ARGS=\"--banirq=" + movedIrqs(changes).replace(",", " --banirq=")
                                + "\") or the change will not last"
                        : ", or run irqbalance (systemctl enable --now irqbalance) to keep them spread")
                + (changes.isEmpty() ? ". The rules propose no move (each queue IRQ's configured affinity must be known to compare and set it)." : ".");
    }
}
