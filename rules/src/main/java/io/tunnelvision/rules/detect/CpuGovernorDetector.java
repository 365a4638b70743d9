package io.tunnelvision.rules.detect;

import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.Severity;
import java.util.List;
import java.util.Map;

/**
 * CPU frequency governors other than {@code performance}: a core clocked down between bursts takes longer to
 * handle the interrupt that ends the pause. {@code powersave} costs most (with acpi-cpufreq it pins the lowest
 * frequency; with intel_pstate or amd-pstate it lets the core fall to low P-states), a warning; the dynamic
 * governors (schedutil, ondemand, conservative) ramp up within milliseconds and are worth knowing (INFO).
 */
public final class CpuGovernorDetector {

    public static final String PERFORMANCE = "performance";
    static final String POWERSAVE = "powersave";
    static final String TARGET = "cpufreq";

    public List<Finding> evaluate(KernelSettingsSample kernel) {
        if (kernel == null || kernel.getCpuGovernors().isEmpty()) {
            return List.of();
        }
        long slow = 0;
        long powersave = 0;
        for (String governor : kernel.getCpuGovernors().values()) {
            slow += PERFORMANCE.equals(governor) ? 0 : 1;
            powersave += POWERSAVE.equals(governor) ? 1 : 0;
        }
        Map<String, Double> evidence = Map.of("slowCpus", (double) slow, "powersaveCpus", (double) powersave,
                "cpus", (double) kernel.getCpuGovernors().size());
        if (slow == 0) {
            return List.of(Finding.good(HotspotType.CPU_GOVERNOR, TARGET, 0, evidence));
        }
        return List.of(new Finding(HotspotType.CPU_GOVERNOR, TARGET, true,
                powersave > 0 ? Severity.WARNING : Severity.INFO, slow, evidence,
                slow + " CPU(s) run a governor other than " + PERFORMANCE));
    }
}
