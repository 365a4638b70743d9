package io.tunnelvision.bench.agent;

import io.tunnelvision.agent.publish.DiskSpool;
import io.tunnelvision.agent.publish.SpoolFsync;
import io.tunnelvision.agent.publish.SpoolRecord;
import io.tunnelvision.schemas.topic.Topics;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@link SpoolAppendBenchmark}'s appends in process CPU time (every thread: the appending one, the interval
 * policy's flusher, the JIT and GC alike), so that a shared machine inflates each policy alike: for each policy
 * and place, appends for a fixed time, then prints appends a second and CPU µs per append. The kernel's own
 * writeback of the pages (its flusher threads) is not in the process's CPU.
 *
 * <pre>java -cp bench/target/tunnelvision-bench.jar io.tunnelvision.bench.agent.SpoolFsyncCpu [seconds]</pre>
 */
public final class SpoolFsyncCpu {

    private SpoolFsyncCpu() {
    }

    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 5;
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        SpoolRecord record = new SpoolRecord(Topics.standard().softnetSamples.name(), new byte[] {1, 2, 3},
                new byte[1024]);
        System.out.printf("%-6s %-9s %12s %14s %10s%n", "where", "fsync", "appends/s", "CPU µs/append", "fsyncs");
        for (int round = 0; round < 2; round++) { // the first round warms up
            for (String where : new String[] {"disk", "tmpfs"}) {
                for (String fsync : new String[] {"always", "interval", "never"}) {
                    Path dir = Files.createTempDirectory(SpoolAppendBenchmark.root(where), "tv-spool-cpu");
                    DiskSpool spool = DiskSpool.open(dir, 4L << 30,
                            new SpoolFsync(SpoolFsync.mode(fsync), SpoolFsync.DEFAULT_INTERVAL));
                    long cpu0 = os.getProcessCpuTime();
                    long t0 = System.nanoTime();
                    long end = t0 + seconds * 1_000_000_000L;
                    long n = 0;
                    while (System.nanoTime() < end) {
                        for (int i = 0; i < 100; i++) {
                            spool.append(record);
                        }
                        n += 100;
                    }
                    long wall = System.nanoTime() - t0;
                    long cpu = os.getProcessCpuTime() - cpu0;
                    long fsyncs = spool.fsyncs();
                    spool.close();
                    SpoolAppendBenchmark.delete(dir);
                    if (round == 1) {
                        System.out.printf("%-6s %-9s %,12.0f %14.2f %,10d%n", where, fsync, n * 1e9 / wall,
                                cpu / 1e3 / n, fsyncs);
                    }
                }
            }
        }
    }
}
