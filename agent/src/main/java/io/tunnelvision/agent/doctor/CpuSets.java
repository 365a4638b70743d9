package io.tunnelvision.agent.doctor;

import io.tunnelvision.agent.collect.CpuList;
import io.tunnelvision.agent.collect.CpuMask;
import java.util.BitSet;

/** CPU sets written the ways the kernel reads them: lists ({@code 0-3,5}) and masks (via {@link CpuMask}). */
final class CpuSets {

    private CpuSets() {
    }

    /** {@code cpus} as a CPU list such as {@code 0-3,5}, the format of {@code smp_affinity_list} and {@code online}. */
    static String list(BitSet cpus) {
        return CpuList.format(cpus);
    }

    /**
     * The RPS mask naming every online CPU, as the kernel prints it for this host's {@code nr_cpu_ids}: writing it
     * succeeds and reading it back gives the same text. A mask wider than {@code nr_cpu_ids} (the manual's
     * {@code f} on a 2-CPU host) is refused with EOVERFLOW; one naming offline CPUs is silently narrowed.
     */
    static String rpsMask(HostFacts facts) {
        return CpuMask.format(facts.onlineCpus(), facts.possibleCpus());
    }

    /** Whether an rps_cpus value enables RPS: at least one CPU set. Unparseable text counts as off. */
    static boolean rpsOn(String rpsCpus) {
        if (rpsCpus == null) {
            return false;
        }
        try {
            return !CpuMask.parse(rpsCpus).isEmpty();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
