package io.tunnelvision.rules.plan;

import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import java.util.List;

/**
 * What the planner knows of a host's current settings: the latest interface and kernel samples (the expected
 * values of compare-and-set), the CPUs online in the latest interrupt sample, that sample itself (each IRQ's
 * configured affinity), the latest interrupt rates (where the load is) and the thresholds that say which CPU is
 * hot. Any of them may be missing.
 */
public record HostContext(InterfaceConfigSample interfaces, KernelSettingsSample kernel, List<Integer> onlineCpus,
                          InterruptSample interrupts, InterruptRates interruptRates, DetectionThresholds thresholds) {

    public HostContext {
        onlineCpus = onlineCpus == null ? List.of() : List.copyOf(onlineCpus);
        thresholds = thresholds == null ? DetectionThresholds.defaults() : thresholds;
    }

    public HostContext(InterfaceConfigSample interfaces, KernelSettingsSample kernel, List<Integer> onlineCpus) {
        this(interfaces, kernel, onlineCpus, null, null, null);
    }
}
