package io.tunnelvision.bench.agent;

import io.tunnelvision.agent.collect.EthtoolParse;
import io.tunnelvision.agent.collect.NicCadence;
import io.tunnelvision.agent.collect.NicCollector;
import io.tunnelvision.agent.collect.SettingsRefresh;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.nio.file.Path;
import java.util.Set;

/**
 * What the NIC collector costs, in CPU time: {@link EthtoolParse#stats} of a generated {@code ethtool -S} in mlx5's
 * per-queue naming (the measuring thread's CPU, median of rounds), and whole collections of this host's NICs with
 * the real ethtool: a settings collection ({@code -i -g -l -c -k} and {@code -S}: six processes a NIC) and a
 * counters collection ({@code -S} only). CPU is this JVM's utime + stime and its reaped children's, from
 * {@code /proc/self/stat}. The agent reads counters every 30 rounds and settings every 300
 * ({@link NicCadence#AGENT}).
 *
 * <pre>java -cp bench/target/tunnelvision-bench.jar io.tunnelvision.bench.agent.NicCollectCpu [collections]</pre>
 */
public final class NicCollectCpu {

    private NicCollectCpu() {
    }

    public static void main(String[] args) throws Exception {
        int collections = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        for (int queues : new int[] {1, 8, 64}) {
            String text = statsOutput(queues);
            ThreadCpu cpu = ThreadCpu.perCall(2_000, () -> !EthtoolParse.stats(text).counters().isEmpty());
            System.out.printf("EthtoolParse.stats, mlx5 names, %d queues: %d counters, %d bytes: %s%n", queues,
                    EthtoolParse.stats(text).counters().size(), text.length(), cpu);
        }

        NicCollector settings = NicCollector.of(Path.of("/proc"), Path.of("/sys"), SettingsRefresh.everyRound(),
                NicCadence.EVERY_ROUND, Set.of());
        NicCollector counters = NicCollector.of(Path.of("/proc"), Path.of("/sys"), new SettingsRefresh(1 << 30),
                new NicCadence(1, 1 << 30), Set.of());
        double settingsMs = measure("settings (-i -g -l -c -k -S)", settings, collections);
        double countersMs = measure("counters (-S)", counters, collections);
        NicCadence agent = NicCadence.AGENT;
        double perRound = countersMs / agent.countersEvery()
                + (settingsMs - countersMs) / agent.settingsEvery();
        System.out.printf("per agent round (counters every %d rounds, settings every %d): %.3f ms, %.4f %% of a core "
                + "at 1 round/s%n", agent.countersEvery(), agent.settingsEvery(), perRound, perRound / 1000 * 100);
    }

    private static double measure(String what, NicCollector collector, int collections) throws Exception {
        NicSample sample = null;
        for (int i = 0; i < 10; i++) { // warm-up
            sample = collector.collect(header(i));
        }
        if (sample == null || sample.getNics().isEmpty() || collector.unavailableRounds() > 0) {
            throw new IllegalStateException("ethtool found no NIC on this host, or did not work");
        }
        ProcessCpu before = ProcessCpu.now();
        long wall = System.nanoTime();
        for (int i = 0; i < collections; i++) {
            sample = collector.collect(header(i));
        }
        double wallMs = (System.nanoTime() - wall) / 1e6 / collections;
        ProcessCpu after = ProcessCpu.now();
        double jvmMs = after.selfMsSince(before, collections);
        double toolMs = after.childrenMsSince(before, collections);
        System.out.printf("NicCollector.collect, %s, %d NIC(s) (%s, %d counters), %d collections: %.2f ms wall, "
                        + "CPU %.2f ms in the JVM + %.2f ms in ethtool = %.2f ms a collection%n", what,
                sample.getNics().size(), sample.getNics().get(0).getDriver(),
                sample.getNics().get(0).getCounters().size(), collections, wallMs, jvmMs, toolMs, jvmMs + toolMs);
        return jvmMs + toolMs;
    }

    private static SampleHeader header(long sequence) {
        return new SampleHeader("bench", "boot", sequence, System.currentTimeMillis(), "bench");
    }

    /** An {@code ethtool -S} as mlx5 prints it: device counters, then a block per queue. */
    static String statsOutput(int queues) {
        StringBuilder out = new StringBuilder("NIC statistics:\n");
        for (String name : new String[] {"rx_packets", "rx_bytes", "tx_packets", "tx_bytes", "rx_out_of_buffer",
                "rx_discards_phy", "rx_csum_complete", "rx_lro_packets", "tx_tso_packets", "rx_cache_reuse",
                "rx_cache_full", "rx_cache_empty", "ch_events", "ch_poll", "ch_arm", "ch_aff_change"}) {
            out.append("     ").append(name).append(": ").append(name.length() * 1_234_567L).append('\n');
        }
        for (int q = 0; q < queues; q++) {
            for (String name : new String[] {"packets", "bytes", "csum_complete", "csum_none", "xdp_drop",
                    "lro_packets", "removed_vlan_packets", "wqe_err", "mpwqe_filler_cqes", "buff_alloc_err",
                    "cqe_compress_blks", "cache_reuse", "cache_full", "cache_empty", "congst_umr", "arfs_err"}) {
                out.append("     rx").append(q).append('_').append(name).append(": ").append(q * 1000L + 7)
                        .append('\n');
            }
            for (String name : new String[] {"packets", "bytes", "tso_packets", "nop", "csum_none", "stopped",
                    "dropped", "xmit_more", "recover", "cqes", "wake", "cqe_err"}) {
                out.append("     tx").append(q).append('_').append(name).append(": ").append(q * 1000L + 3)
                        .append('\n');
            }
        }
        return out.toString();
    }
}
