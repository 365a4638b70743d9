package io.tunnelvision.bench.agent;

import io.tunnelvision.agent.collect.QdiscCollector;
import io.tunnelvision.agent.collect.SettingsRefresh;
import io.tunnelvision.agent.collect.TcQdiscs;
import io.tunnelvision.schemas.avro.QdiscSample;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.nio.file.Path;
import java.util.StringJoiner;

/**
 * What the qdisc collector costs, in CPU time: {@link TcQdiscs#parse} of a generated {@code tc -s -j qdisc show}
 * (the measuring thread's CPU, median of rounds), and a whole collection on this host, {@code tc} process included
 * (this JVM's utime + stime and its reaped children's, from {@code /proc/self/stat}, over many collections). The
 * agent collects every {@code RunCommand.QDISC_EVERY_ROUNDS} (30) rounds, so a round's share is a thirtieth.
 *
 * <pre>java -cp bench/target/tunnelvision-bench.jar io.tunnelvision.bench.agent.QdiscCollectCpu [collections]</pre>
 */
public final class QdiscCollectCpu {

    private static final int EVERY_ROUNDS = 30;

    private QdiscCollectCpu() {
    }

    public static void main(String[] args) throws Exception {
        int collections = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        for (int[] shape : new int[][] {{4, 0}, {8, 16}, {64, 64}}) {
            String json = tcOutput(shape[0], shape[1]);
            ThreadCpu cpu = ThreadCpu.perCall(2_000, () -> !TcQdiscs.parse(json).qdiscs().isEmpty());
            System.out.printf("TcQdiscs.parse, %d interfaces with a root, %d mq children on the first: %d qdiscs, "
                            + "%d bytes of JSON: %s%n", shape[0], shape[1], TcQdiscs.parse(json).qdiscs().size(),
                    json.length(), cpu);
        }

        QdiscCollector collector = QdiscCollector.of(Path.of("/proc"), Path.of("/sys"), SettingsRefresh.everyRound());
        QdiscSample sample = null;
        for (int i = 0; i < 20; i++) { // warm-up
            sample = collector.collect(header(i));
        }
        if (sample == null || collector.unavailableRounds() > 0) {
            throw new IllegalStateException("tc -s -j qdisc show did not work on this host");
        }
        ProcessCpu before = ProcessCpu.now();
        long wall = System.nanoTime();
        for (int i = 0; i < collections; i++) {
            sample = collector.collect(header(i));
        }
        double wallMs = (System.nanoTime() - wall) / 1e6 / collections;
        ProcessCpu after = ProcessCpu.now();
        double jvmMs = after.selfMsSince(before, collections);
        double tcMs = after.childrenMsSince(before, collections);
        System.out.printf("QdiscCollector.collect on this host (%d qdiscs, %d tx queues), %d collections: %.2f ms "
                        + "wall, CPU %.2f ms in the JVM + %.2f ms in tc = %.2f ms per collection; per agent round "
                        + "(one in %d): %.3f ms, %.4f %% of a core at 1 round/s%n", sample.getQdiscs().size(),
                sample.getTxQueues().size(), collections, wallMs, jvmMs, tcMs, jvmMs + tcMs, EVERY_ROUNDS,
                (jvmMs + tcMs) / EVERY_ROUNDS, (jvmMs + tcMs) / EVERY_ROUNDS / 1000 * 100);
    }

    private static SampleHeader header(long sequence) {
        return new SampleHeader("bench", "boot", sequence, System.currentTimeMillis(), "bench");
    }

    /**
     * A {@code tc -s -j qdisc show} as iproute2 6.x prints it: {@code interfaces} interfaces with a pfifo_fast root
     * (the first with an mq root and {@code mqChildren} pfifo_fast children instead, when there are any).
     */
    static String tcOutput(int interfaces, int mqChildren) {
        StringJoiner out = new StringJoiner(",", "[", "]");
        for (int i = 0; i < interfaces; i++) {
            String dev = "eth" + i;
            if (i == 0 && mqChildren > 0) {
                out.add(qdisc("mq", "0:", dev, null, "{}"));
                for (int c = 1; c <= mqChildren; c++) {
                    out.add(qdisc("pfifo_fast", "0:", dev, ":" + Integer.toHexString(c),
                            "{\"bands\":3,\"priomap\":[1,2,2,2,1,2,0,0,1,1,1,1,1,1,1,1],\"multiqueue\":false}"));
                }
            } else {
                out.add(qdisc("pfifo_fast", "0:", dev, null,
                        "{\"bands\":3,\"priomap\":[1,2,2,2,1,2,0,0,1,1,1,1,1,1,1,1],\"multiqueue\":false}"));
            }
        }
        return out.toString();
    }

    private static String qdisc(String kind, String handle, String dev, String parent, String options) {
        return "{\"kind\":\"" + kind + "\",\"handle\":\"" + handle + "\",\"dev\":\"" + dev + "\","
                + (parent == null ? "\"root\":true," : "\"parent\":\"" + parent + "\",") + "\"refcnt\":2,"
                + "\"options\":" + options + ",\"bytes\":123456789012,\"packets\":98765432,\"drops\":1234,"
                + "\"overlimits\":0,\"requeues\":17,\"backlog\":0,\"qlen\":0}";
    }
}
