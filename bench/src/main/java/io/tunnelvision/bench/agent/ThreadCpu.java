package io.tunnelvision.bench.agent;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * The measuring thread's CPU time per call of a small piece of work: {@value #WARM_UP} warm-up rounds, then
 * {@value #ROUNDS} rounds of {@code calls} calls, of which the median and the range are kept.
 */
record ThreadCpu(double medianMicros, double minMicros, double maxMicros) {

    static final int ROUNDS = 15;
    private static final int WARM_UP = 5;

    /** @param call one call; it answers false when its work came to nothing, which stops the benchmark */
    static ThreadCpu perCall(int calls, BooleanSupplier call) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] micros = new double[ROUNDS];
        for (int round = -WARM_UP; round < ROUNDS; round++) {
            long start = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < calls; i++) {
                if (!call.getAsBoolean()) {
                    throw new IllegalStateException("nothing was parsed: the benchmark measures nothing");
                }
            }
            if (round >= 0) {
                micros[round] = (threads.getCurrentThreadCpuTime() - start) / 1e3 / calls;
            }
        }
        Arrays.sort(micros);
        return new ThreadCpu(micros[ROUNDS / 2], micros[0], micros[ROUNDS - 1]);
    }

    @Override
    public String toString() {
        return String.format("%.1f µs CPU (median of %d; range %.1f-%.1f)", medianMicros, ROUNDS, minMicros,
                maxMicros);
    }
}
