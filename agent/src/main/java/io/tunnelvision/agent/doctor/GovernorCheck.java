package io.tunnelvision.agent.doctor;

import io.tunnelvision.rules.cpu.CpuList;
import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.schemas.avro.HotspotType;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * CPU frequency governors other than {@code performance}: a core that drops to a low frequency between bursts
 * takes longer to handle the interrupt that ends the pause (the manual's "latency spikes when an interrupt
 * arrives").
 */
final class GovernorCheck implements Check {

    @Override
    public String name() {
        return "cpu-governor";
    }

    @Override
    public Set<HotspotType> types() {
        return Set.of(HotspotType.CPU_GOVERNOR);
    }

    @Override
    public String seen(Finding f, HostInterval interval) {
        Map<String, BitSet> byGovernor = new TreeMap<>();
        for (Map.Entry<String, String> e : interval.kernel().getCpuGovernors().entrySet()) {
            try {
                byGovernor.computeIfAbsent(e.getValue(), g -> new BitSet()).set(Integer.parseInt(e.getKey()));
            } catch (NumberFormatException ignored) {
                // keys are CPU ids by the collector's contract
            }
        }
        List<String> seen = new ArrayList<>();
        byGovernor.forEach((governor, cpus) -> seen.add(governor + " on CPUs " + CpuList.format(cpus)));
        return "scaling_governor: " + String.join("; ", seen);
    }

    @Override
    public String why(Finding f, List<Change> changes, HostInterval interval) {
        return "A core clocked down between bursts needs time to ramp up when the next interrupt arrives, so the "
                + "first packets of every burst are handled slowly: latency spikes and jitter. 'performance' keeps "
                + "the cores at speed (more power). cpupower frequency-set -g performance does the same where "
                + "cpupower is installed.";
    }
}
