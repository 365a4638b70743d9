package io.tunnelvision.rules.plan;

import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.Nic;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.Qdisc;
import io.tunnelvision.schemas.avro.QdiscSample;
import java.util.List;
import java.util.Optional;

/**
 * What the planner knows of a host's current settings: the latest interface and kernel samples (the expected
 * values of compare-and-set), the CPUs online in the latest interrupt sample, that sample itself (each IRQ's
 * configured affinity), the latest interrupt rates (where the load is), the thresholds that say which CPU is hot,
 * and the latest NIC and qdisc samples (rings, channels and coalescing as ethtool reports them; each interface's
 * root qdisc). Any of them may be missing.
 */
public record HostContext(InterfaceConfigSample interfaces, KernelSettingsSample kernel, List<Integer> onlineCpus,
                          InterruptSample interrupts, InterruptRates interruptRates, DetectionThresholds thresholds,
                          NicSample nics, QdiscSample qdiscs) {

    public HostContext {
        onlineCpus = onlineCpus == null ? List.of() : List.copyOf(onlineCpus);
        thresholds = thresholds == null ? DetectionThresholds.defaults() : thresholds;
    }

    /** Without NIC and qdisc samples. */
    public HostContext(InterfaceConfigSample interfaces, KernelSettingsSample kernel, List<Integer> onlineCpus,
                       InterruptSample interrupts, InterruptRates interruptRates, DetectionThresholds thresholds) {
        this(interfaces, kernel, onlineCpus, interrupts, interruptRates, thresholds, null, null);
    }

    public HostContext(InterfaceConfigSample interfaces, KernelSettingsSample kernel, List<Integer> onlineCpus) {
        this(interfaces, kernel, onlineCpus, null, null, null);
    }

    /** The NIC {@code iface} as the latest NIC sample shows it. */
    public Optional<Nic> nic(String iface) {
        return nics == null ? Optional.empty()
                : nics.getNics().stream().filter(n -> n.getInterface$().equals(iface)).findFirst();
    }

    /** The root qdisc of {@code iface} (the one without a parent) in the latest qdisc sample. */
    public Optional<Qdisc> rootQdisc(String iface) {
        return qdiscs == null ? Optional.empty()
                : qdiscs.getQdiscs().stream().filter(q -> q.getParent() == null && q.getInterface$().equals(iface))
                        .findFirst();
    }
}
