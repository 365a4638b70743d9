package io.tunnelvision.agent.doctor;

import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.schemas.avro.HotspotType;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Transmit drops on a tunnel while no CPU is saturated: its queue (for a tun, the ring the VPN daemon reads from,
 * sized by txqueuelen) was full. The manual's "dropped incrementing while CPU usage is low: the issue is likely
 * the txqueuelen".
 */
final class TxQueueCheck implements Check {

    @Override
    public String name() {
        return "tx-queue";
    }

    @Override
    public Set<HotspotType> types() {
        return Set.of(HotspotType.TX_DROPS);
    }

    @Override
    public String seen(Finding f, HostInterval interval) {
        var e = f.evidence();
        String state = interval.iface(f.target()).map(i -> i.getOperState()).orElse("unknown");
        return String.format(Locale.ROOT, "%s (state %s) dropped %s on transmit while sending %s packets/s over %s; "
                        + "txqueuelen %d; the busiest CPU spent %s in softirqs", f.target(), state,
                Text.rate(e.get("txDroppedPerSec")), Text.rate(e.get("txPacketsPerSec")).replace("/s", ""),
                Text.seconds(interval.seconds()), e.get("txQueueLen").intValue(),
                Text.percent(100 * e.get("maxCpuSoftirqShare")));
    }

    @Override
    public String why(Finding f, List<Change> changes, HostInterval interval) {
        return "A full transmit queue drops the packet (for a tun: the VPN daemon did not read it in time), so the "
                + "sender waits for a retransmit timeout. "
                + (changes.isEmpty() ? "txqueuelen is already at the top of the rules' ladder (1000, 2000, 5000): a "
                        + "deeper queue would add bufferbloat instead of removing drops; the reader is too slow: check "
                        + "the VPN daemon's CPU and the softirq checks."
                        : "One step up the rules' ladder (1000, 2000, 5000) absorbs the bursts; recheck before the "
                                + "next, because a deeper queue also holds packets longer.");
    }
}
