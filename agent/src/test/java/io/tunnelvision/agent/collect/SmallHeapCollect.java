package io.tunnelvision.agent.collect;

import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.nio.file.Path;

/**
 * The child JVM of {@link SmallHeapHeadersIT}: runs the real interrupt collector once over each proc tree given
 * and prints one line per tree, {@code <tree> collected <cpus>/<net_rx>/<ticks>} or {@code <tree> refused <why>}.
 * Anything but a result or a {@link CollectException} (an out-of-memory, a NegativeArraySizeException) escapes
 * main, and the JVM exits non-zero, as the agent would have with 70.
 */
public final class SmallHeapCollect {

    private SmallHeapCollect() {
    }

    public static void main(String[] args) {
        SampleHeader header = new SampleHeader("gw-small-heap", "boot-1", 1L, 1_700_000_000_000L, "test");
        for (String tree : args) {
            Path proc = Path.of(tree);
            InterruptCollector collector = new InterruptCollector(proc, proc.resolve("no-sys"),
                    InterruptsParser.DEFAULT_DEVICES, SettingsRefresh.everyRound());
            try {
                InterruptSample sample = collector.collect(header);
                System.out.println(proc.getFileName() + " collected " + sample.getOnlineCpus().size() + "/"
                        + sample.getNetRxSoftirqs().size() + "/" + sample.getTotalTicks().size());
            } catch (CollectException e) {
                System.out.println(proc.getFileName() + " refused " + e.getMessage().replace('\n', ' '));
            }
        }
    }
}
