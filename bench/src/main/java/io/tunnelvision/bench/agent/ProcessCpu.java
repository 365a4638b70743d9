package io.tunnelvision.bench.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This JVM's CPU time and that of the child processes it has reaped (the tools a collector runs), from
 * {@code /proc/self/stat}, in clock ticks of 10 ms (USER_HZ).
 */
record ProcessCpu(long selfTicks, long childrenTicks) {

    static final double TICK_MS = 1000.0 / 100;

    static ProcessCpu now() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // after the command: state is field 3, utime 14, stime 15, cutime 16, cstime 17 (1-based)
        return new ProcessCpu(Long.parseLong(f[11]) + Long.parseLong(f[12]),
                Long.parseLong(f[13]) + Long.parseLong(f[14]));
    }

    /** This JVM's milliseconds since {@code before}, divided by {@code per}. */
    double selfMsSince(ProcessCpu before, int per) {
        return (selfTicks - before.selfTicks) * TICK_MS / per;
    }

    /** The reaped children's milliseconds since {@code before}, divided by {@code per}. */
    double childrenMsSince(ProcessCpu before, int per) {
        return (childrenTicks - before.childrenTicks) * TICK_MS / per;
    }
}
