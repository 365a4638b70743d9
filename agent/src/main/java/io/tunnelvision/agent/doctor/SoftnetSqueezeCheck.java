package io.tunnelvision.agent.doctor;

import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.SoftnetCpuRate;
import io.tunnelvision.schemas.avro.SoftnetRates;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * {@code time_squeeze} of /proc/net/softnet_stat rising: net_rx_action ran out of budget (netdev_budget packets)
 * or time (netdev_budget_usecs) with packets still waiting, which then wait for the next softirq or ksoftirqd.
 */
final class SoftnetSqueezeCheck implements Check {

    @Override
    public String name() {
        return "softnet-squeeze";
    }

    @Override
    public Set<HotspotType> types() {
        return Set.of(HotspotType.SOFTNET_SQUEEZE);
    }

    @Override
    public String subject(Finding finding) {
        return "softnet";
    }

    @Override
    public String seen(Finding f, HostInterval interval) {
        KernelSettingsSample k = interval.kernel();
        return "time_squeeze " + Text.rate(f.evidence().get("timeSqueezePerSec")) + " over "
                + Text.seconds(interval.seconds()) + " (" + perCpu(interval.softnetRates(),
                        SoftnetCpuRate::getTimeSqueezePerSec) + ") while processing "
                + Text.rate(f.evidence().get("processedPerSec")) + " packets; netdev_budget "
                + value(k.getNetdevBudget()) + ", netdev_budget_usecs " + value(k.getNetdevBudgetUsecs());
    }

    @Override
    public String why(Finding f, List<Change> changes, HostInterval interval) {
        String why = "Each squeeze leaves received packets in the queue until the next NET_RX softirq or until "
                + "ksoftirqd is scheduled, which adds up to a scheduler tick of delay; the budget is shared by every "
                + "NAPI device of the CPU, so a busy NIC and a tunnel slow each other. ";
        if (interval.kernel().getNetdevBudget() == null) {
            return why + "netdev_budget is not visible here (a network namespace other than the host's): run the "
                    + "doctor on the host to get the sysctl to raise.";
        }
        if (changes.isEmpty()) {
            return why + "The budget is already at the top of the rules' ladder: spread the work instead "
                    + "(irq-distribution, rps).";
        }
        return why + "One step up the rules' ladder (300, 600, 1200 packets) lets one pass drain more of the queue; "
                + "recheck before the next step, and if squeezes continue, spread the work (irq-distribution, rps).";
    }

    /** {@code cpuN rate} of every CPU with a non-zero rate. */
    static String perCpu(SoftnetRates rates, ToDoubleFunction<SoftnetCpuRate> rate) {
        List<String> parts = new ArrayList<>();
        for (SoftnetCpuRate cpu : rates.getCpus()) {
            double r = rate.applyAsDouble(cpu);
            if (r > 0) {
                parts.add("cpu" + cpu.getCpu() + " " + Text.rate(r));
            }
        }
        return parts.isEmpty() ? "no CPU above 0" : String.join(", ", parts);
    }

    static String value(Long v) {
        return v == null ? "n/a" : v.toString();
    }
}
