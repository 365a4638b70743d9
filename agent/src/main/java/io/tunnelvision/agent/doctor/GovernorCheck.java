package io.tunnelvision.agent.doctor;

import io.tunnelvision.schemas.avro.Severity;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU frequency governors other than {@code performance}: a core that drops to a low frequency between bursts
 * takes longer to handle the interrupt that ends the pause (the manual's "latency spikes when an interrupt
 * arrives").
 */
final class GovernorCheck implements Check {

    static final String PERFORMANCE = "performance";
    /**
     * The governor that costs most: with acpi-cpufreq it pins the lowest frequency; with intel_pstate or
     * amd-pstate it lets the core fall to low P-states between bursts. The dynamic governors (schedutil,
     * ondemand, conservative) ramp up within milliseconds and are worth knowing about, not a warning.
     */
    static final String POWERSAVE = "powersave";

    @Override
    public String name() {
        return "cpu-governor";
    }

    @Override
    public List<Finding> examine(HostInterval interval) {
        Map<String, String> governors = interval.kernel().getCpuGovernors();
        if (governors.isEmpty()) {
            return List.of(new Finding(name(), Severity.INFO, "cpufreq",
                    "no scaling_governor under /sys/devices/system/cpu/cpu*/cpufreq",
                    "Without cpufreq (most VMs, or no driver loaded) the hypervisor or firmware sets the frequency; "
                            + "nothing to tune from this host.", ""));
        }
        Map<String, BitSet> byGovernor = new TreeMap<>();
        for (Map.Entry<String, String> e : governors.entrySet()) {
            try {
                byGovernor.computeIfAbsent(e.getValue(), g -> new BitSet()).set(Integer.parseInt(e.getKey()));
            } catch (NumberFormatException ignored) {
                // keys are CPU ids by the collector's contract
            }
        }
        BitSet slow = new BitSet();
        List<String> seen = new ArrayList<>();
        boolean powersave = false;
        for (Map.Entry<String, BitSet> e : byGovernor.entrySet()) {
            seen.add(e.getKey() + " on CPUs " + CpuSets.list(e.getValue()));
            if (!e.getKey().equals(PERFORMANCE)) {
                slow.or(e.getValue());
                powersave |= e.getKey().equals(POWERSAVE);
            }
        }
        if (slow.isEmpty()) {
            return List.of();
        }
        StringBuilder cpus = new StringBuilder();
        slow.stream().forEach(c -> cpus.append(cpus.length() == 0 ? "" : " ").append(c));
        String fix = "for c in " + cpus + "; do echo " + PERFORMANCE
                + " > /sys/devices/system/cpu/cpu$c/cpufreq/scaling_governor; done";
        String why = "A core clocked down between bursts needs time to ramp up when the next interrupt arrives, so "
                + "the first packets of every burst are handled slowly: latency spikes and jitter. 'performance' "
                + "keeps the cores at speed (more power). cpupower frequency-set -g performance does the same where "
                + "cpupower is installed.";
        return List.of(new Finding(name(), powersave ? Severity.WARNING : Severity.INFO, "cpufreq",
                "scaling_governor: " + String.join("; ", seen), why, fix));
    }
}
