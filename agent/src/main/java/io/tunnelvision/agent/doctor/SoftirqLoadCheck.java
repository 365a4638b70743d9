package io.tunnelvision.agent.doctor;

import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.schemas.avro.HotspotType;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A CPU spending a large part of its time in softirqs (the "si" of top): packet processing there delays
 * everything else on that core, and packets queue behind each other.
 */
final class SoftirqLoadCheck implements Check {

    @Override
    public String name() {
        return "softirq-load";
    }

    @Override
    public Set<HotspotType> types() {
        return Set.of(HotspotType.SOFTIRQ_LOAD);
    }

    @Override
    public String seen(Finding f, HostInterval interval) {
        var e = f.evidence();
        int cool = e.get("coolCpus").intValue();
        return String.format(Locale.ROOT, "%s spent %s of %s in softirqs; %s", f.target(),
                Text.percent(100 * e.get("softirqShare")), Text.seconds(interval.seconds()),
                cool == 0 ? "no other CPU is below " + Text.percent(100 * e.get("coolShare"))
                        : cool + " other CPU(s) below " + Text.percent(100 * e.get("coolShare")));
    }

    @Override
    public String why(Finding f, List<Change> changes, HostInterval interval) {
        boolean cool = f.evidence().get("coolCpus") > 0;
        return "Time in softirqs is packet processing (NET_RX/NET_TX, decryption of kernel tunnels); while "
                + f.target() + " does it, everything else queued on that core waits, and once the core is saturated "
                + "the kernel defers the rest to ksoftirqd, which adds a scheduler round trip to every deferred "
                + "packet. "
                + (!cool ? "Every CPU is busy: spreading will not help, the host needs fewer packets per second per "
                        + "core (bigger MTU, fewer tunnels per host, more cores)."
                        : changes.isEmpty() ? "Other CPUs are cool: spread the NIC's queue IRQs over them (see "
                                + "irq-distribution) or enable RPS on the interfaces that feed this core."
                                : "Other CPUs are cool: RPS on the tunnels moves protocol processing to them.");
    }
}
