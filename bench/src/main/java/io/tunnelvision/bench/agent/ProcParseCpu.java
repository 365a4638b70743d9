package io.tunnelvision.bench.agent;

import io.tunnelvision.agent.collect.FileBuffer;
import io.tunnelvision.agent.collect.InterruptsParser;
import io.tunnelvision.agent.collect.MalformedFileException;
import io.tunnelvision.agent.collect.SoftnetParser;
import io.tunnelvision.agent.collect.SoftnetRecords;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@link ProcParseBenchmark}'s comparison in CPU time of the measuring thread instead of wall time, so that a
 * machine shared with other work inflates both sides alike: the same files, the same paths, interleaved in one
 * run, the median of several rounds of each.
 *
 * <pre>java -cp bench/target/tunnelvision-bench.jar io.tunnelvision.bench.agent.ProcParseCpu</pre>
 */
public final class ProcParseCpu {

    private static final int ROUNDS = 15;

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final FileBuffer buffer = new FileBuffer();
    private final InterruptsParser parser = new InterruptsParser();

    private ProcParseCpu() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("tv-parse-cpu");
        Path interrupts = dir.resolve("interrupts");
        Path softnet = dir.resolve("softnet_stat");
        try {
            Files.writeString(interrupts, ProcGenerator.interrupts(1152, 1100, 1));
            Files.writeString(softnet, ProcGenerator.softnet(480, 1));
            new ProcParseCpu().run(interrupts, softnet);
        } finally {
            Files.deleteIfExists(interrupts);
            Files.deleteIfExists(softnet);
            Files.deleteIfExists(dir);
        }
    }

    private void run(Path interrupts, Path softnet) throws Exception {
        String[] names = {"interrupts read", "interrupts read+parse", "softnet read", "softnet read+parse",
            "softnet read+parse+map"};
        double[][] micros = new double[names.length][ROUNDS];
        for (int round = -5; round < ROUNDS; round++) { // five rounds of warm-up
            double[] r = {
                time(100, () -> buffer.read(interrupts)),
                time(100, () -> parser.parse(buffer.read(interrupts))),
                time(5_000, () -> buffer.read(softnet)),
                time(5_000, () -> SoftnetParser.parse(buffer.read(softnet))),
                time(5_000, () -> SoftnetRecords.of(SoftnetParser.parse(buffer.read(softnet)))),
            };
            for (int k = 0; round >= 0 && k < r.length; k++) {
                micros[k][round] = r[k];
            }
        }
        double[] median = new double[names.length];
        for (int k = 0; k < names.length; k++) {
            Arrays.sort(micros[k]);
            median[k] = micros[k][ROUNDS / 2];
            System.out.printf("%-24s %10.1f µs CPU per op (median of %d; range %.1f-%.1f)%n", names[k], median[k],
                    ROUNDS, micros[k][0], micros[k][ROUNDS - 1]);
        }
        System.out.printf("interrupts: read+parse = %.2f x read%n", median[1] / median[0]);
        System.out.printf("softnet: read+parse = %.2f x read, read+parse+map = %.2f x read%n", median[3] / median[2],
                median[4] / median[2]);
    }

    private interface Op {
        Object run() throws IOException, MalformedFileException;
    }

    /** CPU µs of this thread per call of {@code op}. */
    private double time(int calls, Op op) throws IOException, MalformedFileException {
        long start = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < calls; i++) {
            if (op.run() == null) {
                throw new IllegalStateException("a benchmark file went missing");
            }
        }
        return (threads.getCurrentThreadCpuTime() - start) / 1e3 / calls;
    }
}
