package io.tunnelvision.agent.doctor;

import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.LinkCounters;
import io.tunnelvision.schemas.avro.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Transmit drops on a tunnel: its queue (for a tun, the ring the VPN daemon reads from, sized by txqueuelen) was
 * full. The manual's "dropped incrementing while CPU usage is low: the issue is likely the txqueuelen".
 */
final class TxQueueCheck implements Check {

    /** Drops per second at which loss is steady rather than the odd burst. */
    static final double CRITICAL_RATE = 10;
    /**
     * The steps the doctor raises txqueuelen by, one per run, so that a fix is verified before the next: deeper
     * queues absorb bursts but hold packets longer (bufferbloat). Past the last step, more queue is not the cure.
     */
    static final int[] STEPS = {1000, 2000, 5000};

    @Override
    public String name() {
        return "tx-queue";
    }

    @Override
    public List<Finding> examine(HostInterval interval) {
        List<Finding> findings = new ArrayList<>();
        for (InterfaceConfig iface : interval.interfaces()) {
            if (!HostInterval.TUNNELS.contains(iface.getKind())) {
                continue;
            }
            long drops = interval.linkDelta(iface.getName(), LinkCounters::getTxDropped);
            if (drops == 0) {
                continue;
            }
            long packets = interval.linkDelta(iface.getName(), LinkCounters::getTxPackets);
            double rate = interval.perSecond(drops);
            int next = nextStep(iface.getTxQueueLen());
            String seen = String.format(Locale.ROOT, "%s (%s, state %s) dropped %d of %d packets sent in %s (%s); "
                    + "txqueuelen %d", iface.getName(), iface.getKind().name().toLowerCase(Locale.ROOT),
                    iface.getOperState(), drops, drops + packets, Text.seconds(interval.seconds()), Text.rate(rate),
                    iface.getTxQueueLen());
            String why = "A full transmit queue drops the packet (for a tun: the VPN daemon did not read it in time), "
                    + "so the sender waits for a retransmit timeout. "
                    + (next > 0 ? "A queue of " + next + " absorbs the bursts; raise it a step at a time ("
                            + "1000, 2000, 5000) and recheck, because a deeper queue also holds packets longer."
                            : "txqueuelen is already " + iface.getTxQueueLen() + ": a deeper queue would add "
                                    + "bufferbloat (packets waiting in the queue) instead of removing drops; the "
                                    + "reader is too slow: check the VPN daemon's CPU and the softirq checks.")
                    + (iface.getOperState().equals("down") ? " The interface is down: for a tun, no daemon has it "
                            + "open, and every packet routed to it is dropped." : "");
            findings.add(new Finding(name(), rate >= CRITICAL_RATE ? Severity.CRITICAL : Severity.WARNING,
                    iface.getName(), seen, why,
                    next > 0 ? "ip link set dev " + iface.getName() + " txqueuelen " + next : ""));
        }
        return findings;
    }

    /** The next step above {@code current}, or 0 when it is already at or past the last. */
    static int nextStep(int current) {
        for (int step : STEPS) {
            if (current < step) {
                return step;
            }
        }
        return 0;
    }
}
