package io.tunnelvision.agent.collect;

/**
 * What {@link ProcStatParser} found, one element per {@code cpuN} line.
 *
 * @param cpus CPU ids in line order (online CPUs only)
 * @param softirqTicks time spent in softirqs, USER_HZ ticks
 * @param totalTicks all time (user through steal), USER_HZ ticks: the denominator of si%
 * @param malformedLines cpu lines skipped because they could not be read
 */
public record CpuTimes(int[] cpus, long[] softirqTicks, long[] totalTicks, int malformedLines) {
}
