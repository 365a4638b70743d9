package io.tunnelvision.agent.collect;

import java.util.BitSet;

/**
 * A thin delegate to {@link io.tunnelvision.rules.cpu.CpuMask}, the project's one CPU mask parser. It stays only
 * because the executor ({@code agent/apply/Values}) still imports it; new code imports the rules' class.
 */
public final class CpuMask {

    private CpuMask() {
    }

    /** @see io.tunnelvision.rules.cpu.CpuMask#parse(String) */
    public static BitSet parse(String mask) {
        return io.tunnelvision.rules.cpu.CpuMask.parse(mask);
    }

    /** @see io.tunnelvision.rules.cpu.CpuMask#format(BitSet, int) */
    public static String format(BitSet cpus, int possibleCpus) {
        return io.tunnelvision.rules.cpu.CpuMask.format(cpus, possibleCpus);
    }

    /** @see io.tunnelvision.rules.cpu.CpuMask#fits(BitSet, BitSet) */
    public static boolean fits(BitSet mask, BitSet online) {
        return io.tunnelvision.rules.cpu.CpuMask.fits(mask, online);
    }
}
