package io.tunnelvision.agent.doctor;

import io.tunnelvision.schemas.avro.Severity;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code dropped} of /proc/net/softnet_stat rising: the per-CPU backlog (netdev_max_backlog packets) was full.
 * Packets from tun devices, RPS and non-NAPI drivers pass through it, so a VPN gateway fills it first.
 */
final class SoftnetBacklogCheck implements Check {

    /** Any backlog drop is a lost packet (and a retransmit for TCP inside the tunnel). */
    static final double WARNING_RATE = 0;
    /** Drops per second at which loss is steady rather than the odd burst. */
    static final double CRITICAL_RATE = 10;
    /** Highest netdev_max_backlog the doctor proposes: a longer backlog only adds queueing delay. */
    static final long MAX_BACKLOG = 32768;

    @Override
    public String name() {
        return "softnet-backlog";
    }

    @Override
    public List<Finding> examine(HostInterval interval) {
        long total = 0;
        List<String> perCpu = new ArrayList<>();
        for (HostInterval.SoftnetDelta d : interval.softnetDeltas()) {
            total += d.dropped();
            if (d.dropped() > 0) {
                perCpu.add(d.label() + " +" + d.dropped());
            }
        }
        double rate = interval.perSecond(total);
        if (total == 0 || rate <= WARNING_RATE) {
            return List.of();
        }
        Long backlog = interval.kernel().getNetdevMaxBacklog();
        String seen = "softnet dropped rose by " + total + " in " + Text.seconds(interval.seconds()) + " ("
                + Text.rate(rate) + "; " + String.join(", ", perCpu) + "); netdev_max_backlog "
                + SoftnetSqueezeCheck.value(backlog);
        String fix = backlog != null && backlog < MAX_BACKLOG
                ? "sysctl -w net.core.netdev_max_backlog=" + Math.min(backlog * 2, MAX_BACKLOG) : "";
        String why = "A packet that finds the CPU's backlog full is dropped before any protocol sees it: the sender "
                + "retransmits after a timeout, the costliest latency there is. A deeper backlog absorbs bursts (the "
                + "manual suggests 5000 or more for 10 Gbit/s); if drops continue the CPU is too slow for the rate, "
                + "so spread it (rps, irq-distribution)."
                + (backlog == null ? " netdev_max_backlog is not visible here: run the doctor on the host." : "")
                + (backlog != null && backlog >= MAX_BACKLOG ? " The backlog is already at the doctor's cap of "
                        + MAX_BACKLOG + ": a longer one only adds queueing delay." : "");
        return List.of(new Finding(name(), rate >= CRITICAL_RATE ? Severity.CRITICAL : Severity.WARNING, "softnet",
                seen, why, fix));
    }
}
