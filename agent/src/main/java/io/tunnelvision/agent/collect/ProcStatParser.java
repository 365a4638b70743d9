package io.tunnelvision.agent.collect;

import java.util.Arrays;

/**
 * Parses the per-CPU lines of {@code /proc/stat}: softirq time and all time, in USER_HZ ticks.
 *
 * <pre>
 * cpu  27345 0 3826 89278 166 0 50 45 0 0          all CPUs together: ignored
 * cpu0 13315 0 1770 45187 30 0 9 20 0 0            user nice system idle iowait irq softirq steal guest guest_nice
 * </pre>
 * Only online CPUs have a line. Kernels before 2.6.11 stop after softirq, before 2.6.24 after steal; seven
 * columns are the least a line needs. The total leaves out guest and guest_nice because the kernel already
 * counts them inside user and nice (kernel/sched/cputime.c, account_guest_time); adding them would count that
 * time twice, which is also why top and mpstat leave them out.
 *
 * <p>The per-CPU lines come first; parsing stops at the first line after them, so the {@code intr} line, which
 * holds one number per IRQ and is long on big hosts, is never scanned.
 */
public final class ProcStatParser {

    private static final int SOFTIRQ_COLUMN = 6;
    // user, nice, system, idle, iowait, irq, softirq, steal: guest and guest_nice are already in user and nice.
    private static final int TIME_COLUMNS = 8;

    private ProcStatParser() {
    }

    public static CpuTimes parse(CharSequence text) {
        int length = text.length();
        int[] cpus = new int[16];
        long[] softirq = new long[16];
        long[] total = new long[16];
        int count = 0;
        int malformed = 0;
        boolean inCpuLines = false;
        int pos = 0;
        while (pos < length) {
            int end = Scan.lineEnd(text, pos, length);
            int start = pos;
            pos = end + 1;
            int labelEnd = Scan.tokenEnd(text, start, end);
            if (labelEnd - start < 3 || !Scan.regionEquals(text, start, start + 3, "cpu")) {
                if (inCpuLines) {
                    break;
                }
                continue;
            }
            inCpuLines = true;
            if (labelEnd == start + 3) {
                continue; // the "cpu" line: all CPUs together
            }
            long id = Scan.decimal(text, start + 3, labelEnd);
            long softirqTicks = -1;
            long totalTicks = 0;
            int column = 0;
            int i = Scan.skipSpaces(text, labelEnd, end);
            while (i < end && column < TIME_COLUMNS) {
                int tokenEnd = Scan.tokenEnd(text, i, end);
                long value = Scan.decimal(text, i, tokenEnd);
                if (value < 0) {
                    break;
                }
                if (column == SOFTIRQ_COLUMN) {
                    softirqTicks = value;
                }
                totalTicks += value;
                column++;
                i = Scan.skipSpaces(text, tokenEnd, end);
            }
            boolean garbageBefore = i < end && column < TIME_COLUMNS;
            if (id < 0 || id >= CpuColumns.MAX_CPUS || softirqTicks < 0 || garbageBefore) {
                malformed++;
                continue;
            }
            if (count == cpus.length) {
                cpus = Arrays.copyOf(cpus, count * 2);
                softirq = Arrays.copyOf(softirq, count * 2);
                total = Arrays.copyOf(total, count * 2);
            }
            cpus[count] = (int) id;
            softirq[count] = softirqTicks;
            total[count] = totalTicks;
            count++;
        }
        return new CpuTimes(Arrays.copyOf(cpus, count), Arrays.copyOf(softirq, count), Arrays.copyOf(total, count),
                malformed);
    }
}
