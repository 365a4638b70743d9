package io.tunnelvision.agent.doctor;

import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.Severity;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code time_squeeze} of /proc/net/softnet_stat rising: net_rx_action ran out of budget (netdev_budget packets)
 * or time (netdev_budget_usecs) with packets still waiting, which then wait for the next softirq or ksoftirqd.
 */
final class SoftnetSqueezeCheck implements Check {

    /** Squeezes per second (whole host) worth acting on; a stray one now and then is normal. */
    static final double WARNING_RATE = 1;
    /** Squeezes per second at which deferral to ksoftirqd is the usual path rather than the exception. */
    static final double CRITICAL_RATE = 100;
    /**
     * Highest netdev_budget the doctor proposes (4x the default 300): beyond it one net_rx_action holds the CPU
     * for so long that other softirqs and tasks on it suffer, and spreading the work is the better fix.
     */
    static final long MAX_BUDGET = 1200;
    /** Highest netdev_budget_usecs the doctor proposes: 8 ms, the largest default (HZ=250 kernels). */
    static final long MAX_BUDGET_USECS = 8000;

    @Override
    public String name() {
        return "softnet-squeeze";
    }

    @Override
    public List<Finding> examine(HostInterval interval) {
        long total = 0;
        List<String> perCpu = new ArrayList<>();
        for (HostInterval.SoftnetDelta d : interval.softnetDeltas()) {
            total += d.timeSqueeze();
            if (d.timeSqueeze() > 0) {
                perCpu.add(d.label() + " +" + d.timeSqueeze());
            }
        }
        double rate = interval.perSecond(total);
        if (total == 0 || rate < WARNING_RATE) {
            return List.of();
        }
        KernelSettingsSample k = interval.kernel();
        String seen = "time_squeeze rose by " + total + " in " + Text.seconds(interval.seconds()) + " ("
                + Text.rate(rate) + "; " + String.join(", ", perCpu) + "); netdev_budget " + value(k.getNetdevBudget())
                + ", netdev_budget_usecs " + value(k.getNetdevBudgetUsecs());
        List<String> settings = new ArrayList<>();
        Long budget = k.getNetdevBudget();
        if (budget != null && budget < MAX_BUDGET) {
            settings.add("net.core.netdev_budget=" + Math.min(budget * 2, MAX_BUDGET));
        }
        Long usecs = k.getNetdevBudgetUsecs();
        if (usecs != null && usecs < MAX_BUDGET_USECS) {
            settings.add("net.core.netdev_budget_usecs=" + Math.min(usecs * 2, MAX_BUDGET_USECS));
        }
        String why = "Each squeeze leaves received packets in the queue until the next NET_RX softirq or until "
                + "ksoftirqd is scheduled, which adds up to a scheduler tick of delay; the budget is shared by every "
                + "NAPI device of the CPU, so a busy NIC and a tunnel slow each other. ";
        if (budget == null) {
            why += "netdev_budget is not visible here (a network namespace other than the host's): run the doctor "
                    + "on the host to get the sysctl to raise.";
        } else if (settings.isEmpty()) {
            why += "The budget is already at the doctor's cap (" + MAX_BUDGET + " packets, " + MAX_BUDGET_USECS
                    + " us): spread the work instead (irq-distribution, rps).";
        } else {
            why += "Doubling the budget (capped at " + MAX_BUDGET + " packets, " + MAX_BUDGET_USECS + " us) lets one "
                    + "pass drain the queue; if squeezes continue, spread the work (irq-distribution, rps).";
        }
        return List.of(new Finding(name(), rate >= CRITICAL_RATE ? Severity.CRITICAL : Severity.WARNING, "softnet",
                seen, why, settings.isEmpty() ? "" : "sysctl -w " + String.join(" ", settings)));
    }

    static String value(Long v) {
        return v == null ? "n/a" : v.toString();
    }
}
