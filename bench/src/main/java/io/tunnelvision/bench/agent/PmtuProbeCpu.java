package io.tunnelvision.bench.agent;

import io.tunnelvision.agent.collect.PmtuCollector;
import io.tunnelvision.agent.collect.PmtuSchedule;
import io.tunnelvision.agent.collect.ToolRun;
import io.tunnelvision.schemas.avro.PmtuPath;
import io.tunnelvision.schemas.avro.PmtuSample;
import io.tunnelvision.schemas.avro.PmtuStep;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the path-MTU collector costs, in CPU time: whole probings of {@code peers} WireGuard peers by the real
 * {@link PmtuCollector} with the real {@code ping} and {@code ip route get}, on loopback. Only {@code wg}'s two
 * listings are answered by this class (a tree with a {@code wg0} of MTU 1420 and peers whose overlay and endpoint
 * are 127.0.0.x), so that no tunnel is needed: every size passes, and each ladder takes the steps its binary search
 * takes from 576 up to 1420. CPU is this JVM's utime + stime and its reaped children's (the pings and {@code ip}),
 * from {@code /proc/self/stat} (10 ms ticks). The agent probes every {@code RunCommand}'s 300 rounds and after a
 * command.
 *
 * <pre>java -cp bench/target/tunnelvision-bench.jar io.tunnelvision.bench.agent.PmtuProbeCpu [probings] [peers]</pre>
 */
public final class PmtuProbeCpu {

    private static final int EVERY_ROUNDS = 300;
    /** PmtuProber's most steps in a ladder. */
    private static final int MAX_STEPS = 12;

    private PmtuProbeCpu() {
    }

    public static void main(String[] args) throws Exception {
        int probings = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int peers = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        Path sys = Files.createTempDirectory("tv-pmtu-bench-");
        Path wg0 = Files.createDirectories(sys.resolve("class/net/wg0"));
        Files.writeString(wg0.resolve("uevent"), "DEVTYPE=wireguard\nINTERFACE=wg0\nIFINDEX=9\n");
        Files.writeString(wg0.resolve("mtu"), "1420\n");
        StringBuilder allowed = new StringBuilder();
        StringBuilder endpoints = new StringBuilder();
        for (int p = 0; p < peers; p++) {
            String key = String.format("%043dA=", p).replace(' ', '0').substring(0, 43) + "=";
            allowed.append("wg0\t").append(key).append("\t127.0.0.").append(p + 1).append("/32\n");
            endpoints.append("wg0\t").append(key).append("\t127.0.0.").append(p + 1).append(":51820\n");
        }
        AtomicInteger runs = new AtomicInteger();
        PmtuCollector collector = new PmtuCollector(sys, null, command -> {
            if (command.get(0).equals("wg")) {
                return command.get(3).equals("allowed-ips") ? allowed.toString() : endpoints.toString();
            }
            runs.incrementAndGet();
            return ToolRun.run(command);
        }, new PmtuSchedule(1, Runnable::run));

        PmtuSample sample = collector.collect(header(0)); // warm-up, and a check that the probing worked
        PmtuPath first = sample.getPaths().get(0);
        if (sample.getPaths().size() != peers || first.getLargestPassedBytes() == null
                || first.getLargestPassedBytes() != 1420) {
            throw new IllegalStateException("the probing did not reach 1420 on loopback: " + sample);
        }
        int steps = first.getSteps().size();
        runs.set(0);
        ProcessCpu before = ProcessCpu.now();
        long wall = System.nanoTime();
        for (int i = 1; i <= probings; i++) {
            collector.collect(header(i));
        }
        double wallMs = (System.nanoTime() - wall) / 1e6 / probings;
        ProcessCpu after = ProcessCpu.now();
        double jvmMs = after.selfMsSince(before, probings);
        double toolsMs = after.childrenMsSince(before, probings);
        double perProbing = jvmMs + toolsMs;
        System.out.printf("PmtuCollector, %d peer(s), %d probings: %d ladder steps (%s) and %d processes a "
                        + "probing; %.0f ms wall; CPU %.2f ms in the JVM + %.2f ms in ping and ip = %.2f ms a "
                        + "probing, %.2f ms a peer; per agent round (one probing in %d): %.4f ms, %.5f %% of a core "
                        + "at 1 round/s%n", peers, probings, steps,
                first.getSteps().stream().map(PmtuStep::getSizeBytes).toList(), runs.get() / probings, wallMs,
                jvmMs, toolsMs, perProbing, perProbing / peers, EVERY_ROUNDS, perProbing / EVERY_ROUNDS,
                perProbing / EVERY_ROUNDS / 1000 * 100);
        // a black hole makes the ladder climb down: at most MAX_STEPS pings, each failing size waiting 1 s
        double perProcess = toolsMs / (runs.get() / (double) probings);
        double worstPeer = jvmMs / peers + perProcess * (MAX_STEPS + 2);
        double worst = worstPeer * peers;
        System.out.printf("a process (ping or ip) costs %.2f ms of CPU; the worst ladder (%d pings and 2 ip route "
                        + "get a peer): %.1f ms a peer, %.1f ms a probing, %.4f ms a round, %.5f %% of a core at 1 "
                        + "round/s%n", perProcess, MAX_STEPS, worstPeer, worst, worst / EVERY_ROUNDS,
                worst / EVERY_ROUNDS / 1000 * 100);
    }

    private static SampleHeader header(long sequence) {
        return new SampleHeader("bench", "boot", sequence, System.currentTimeMillis(), "bench");
    }
}
