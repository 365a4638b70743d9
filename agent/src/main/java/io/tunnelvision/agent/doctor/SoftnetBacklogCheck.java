package io.tunnelvision.agent.doctor;

import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.SoftnetCpuRate;
import java.util.List;
import java.util.Set;

/**
 * {@code dropped} of /proc/net/softnet_stat rising: the per-CPU backlog (netdev_max_backlog packets) was full.
 * Packets from tun devices, RPS and non-NAPI drivers pass through it, so a VPN gateway fills it first.
 */
final class SoftnetBacklogCheck implements Check {

    @Override
    public String name() {
        return "softnet-backlog";
    }

    @Override
    public Set<HotspotType> types() {
        return Set.of(HotspotType.BACKLOG_DROPS);
    }

    @Override
    public String subject(Finding finding) {
        return "softnet";
    }

    @Override
    public String seen(Finding f, HostInterval interval) {
        return "softnet dropped " + Text.rate(f.evidence().get("backlogDropsPerSec")) + " over "
                + Text.seconds(interval.seconds()) + " (" + SoftnetSqueezeCheck.perCpu(interval.softnetRates(),
                        SoftnetCpuRate::getDroppedPerSec) + "); netdev_max_backlog "
                + SoftnetSqueezeCheck.value(interval.kernel().getNetdevMaxBacklog());
    }

    @Override
    public String why(Finding f, List<Change> changes, HostInterval interval) {
        return "A packet that finds the CPU's backlog full is dropped before any protocol sees it: the sender "
                + "retransmits after a timeout, the costliest latency there is. A deeper backlog absorbs bursts (the "
                + "manual suggests 5000 or more for 10 Gbit/s); if drops continue the CPU is too slow for the rate, "
                + "so spread it (rps, irq-distribution)."
                + (interval.kernel().getNetdevMaxBacklog() == null
                        ? " netdev_max_backlog is not visible here: run the doctor on the host."
                        : changes.isEmpty() ? " The backlog is already at the top of the rules' ladder: a longer one "
                                + "only adds queueing delay." : "");
    }
}
