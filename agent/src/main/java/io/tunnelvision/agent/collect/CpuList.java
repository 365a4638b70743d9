package io.tunnelvision.agent.collect;

import java.util.BitSet;

/**
 * A thin delegate to {@link io.tunnelvision.rules.cpu.CpuList}, the project's one CPU list parser. It stays only
 * because the executor ({@code agent/apply/Values}) still imports it; new code imports the rules' class.
 */
public final class CpuList {

    private CpuList() {
    }

    /** @see io.tunnelvision.rules.cpu.CpuList#parse(String) */
    public static BitSet parse(String list) {
        return io.tunnelvision.rules.cpu.CpuList.parse(list);
    }

    /** @see io.tunnelvision.rules.cpu.CpuList#format(BitSet) */
    public static String format(BitSet cpus) {
        return io.tunnelvision.rules.cpu.CpuList.format(cpus);
    }
}
