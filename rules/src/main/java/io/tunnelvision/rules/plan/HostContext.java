package io.tunnelvision.rules.plan;

import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import java.util.List;

/**
 * What the planner knows of a host's current settings: the latest interface and kernel samples (the expected
 * values of compare-and-set) and the CPUs online in the latest interrupt sample. Any of them may be missing.
 */
public record HostContext(InterfaceConfigSample interfaces, KernelSettingsSample kernel, List<Integer> onlineCpus) {

    public HostContext {
        onlineCpus = onlineCpus == null ? List.of() : List.copyOf(onlineCpus);
    }
}
