package io.tunnelvision.agent.doctor;

import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A CPU spending a large part of its time in softirqs (the "si" of top): packet processing there delays
 * everything else on that core, and packets queue behind each other.
 */
final class SoftirqLoadCheck implements Check {

    /** si% at which a core spends a noticeable share of its time in packet processing. */
    static final double WARNING_PERCENT = 30;
    /** si% at which the core is mostly busy with softirqs: ksoftirqd takes over and latency jumps. */
    static final double CRITICAL_PERCENT = 60;
    /** Fewer ticks than this (USER_HZ 100: half a CPU-second) make si% too coarse to judge. */
    static final long MIN_TICKS = 50;
    /** Another CPU is "cool" when its si% is below this: RPS can move work there. */
    static final double COOL_PERCENT = 10;

    @Override
    public String name() {
        return "softirq-load";
    }

    @Override
    public List<Finding> examine(HostInterval interval) {
        List<HostInterval.CpuLoad> loads = interval.cpuLoads();
        List<Finding> findings = new ArrayList<>();
        for (HostInterval.CpuLoad load : loads) {
            if (load.totalTicks() < MIN_TICKS) {
                continue;
            }
            double si = load.softirqPercent();
            if (si < WARNING_PERCENT) {
                continue;
            }
            List<String> cool = new ArrayList<>();
            for (HostInterval.CpuLoad other : loads) {
                if (other.cpu() != load.cpu() && other.totalTicks() >= MIN_TICKS
                        && other.softirqPercent() < COOL_PERCENT) {
                    cool.add("cpu" + other.cpu());
                }
            }
            String seen = String.format(Locale.ROOT, "cpu%d spent %s of %s in softirqs (%d of %d ticks)%s",
                    load.cpu(), Text.percent(si), Text.seconds(interval.seconds()), load.softirqTicks(),
                    load.totalTicks(), cool.isEmpty() ? "; no other CPU is below " + Text.percent(COOL_PERCENT)
                            : "; " + String.join(", ", cool) + " below " + Text.percent(COOL_PERCENT));
            List<String> fix = new ArrayList<>();
            List<String> spreadable = new ArrayList<>();
            if (!cool.isEmpty()) {
                for (InterfaceConfig iface : interval.activeInterfaces()) {
                    if (RpsCheck.wantsRps(iface, interval.facts()) && RpsCommands.rpsOff(iface)) {
                        fix.addAll(RpsCommands.rps(iface, interval.facts()));
                        spreadable.add(iface.getName());
                    }
                }
            }
            String why = "Time in softirqs is packet processing (NET_RX/NET_TX, decryption of kernel tunnels); "
                    + "while cpu" + load.cpu() + " does it, everything else queued on that core waits, and above "
                    + "about " + Text.percent(CRITICAL_PERCENT) + " the kernel defers the rest to ksoftirqd, which "
                    + "adds a scheduler round trip to every deferred packet. "
                    + (cool.isEmpty() ? "Every CPU is busy: spreading will not help, the host needs fewer packets "
                            + "per second per core (bigger MTU, fewer tunnels per host, more cores)."
                            : spreadable.isEmpty() ? "Other CPUs are cool: spread the NIC's queue IRQs over them "
                                    + "(see irq-distribution) or enable RPS on the interfaces that feed this core."
                                    : "Other CPUs are cool: RPS on " + String.join(", ", spreadable)
                                            + " moves protocol processing to them.");
            findings.add(new Finding(name(), si >= CRITICAL_PERCENT ? Severity.CRITICAL : Severity.WARNING,
                    "cpu" + load.cpu(), seen, why, String.join("\n", fix)));
        }
        return findings;
    }
}
