package io.tunnelvision.agent.collect;

import io.tunnelvision.schemas.avro.Qdisc;
import io.tunnelvision.schemas.avro.QdiscSample;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.TxQueue;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every qdisc of this network namespace, root and children, with its counters and backlog, from
 * {@code tc -s -j qdisc show} ({@link TcQdiscs}); and the byte queue limits of each transmit queue of the
 * interfaces that have qdiscs ({@link ByteQueueLimits}). No file holds qdisc statistics (they are answered on
 * rtnetlink), so the collector runs {@code tc}; it does so when {@code when} says (every 30 rounds in the agent:
 * a standing queue or a drop rate is a matter of tens of seconds, and a {@code tc} process costs milliseconds), and
 * gives no sample (null) in the rounds between. The doctor and {@code collect --once} read every round.
 *
 * <p>{@code tc} missing, failing or over 2 s: no sample is made from it, the round is counted in
 * {@link #unavailableRounds()} and one warning is logged until it works again. Entries of its output without the
 * expected fields are skipped and counted in {@link #malformedLines()}.
 */
public final class QdiscCollector implements Collector<QdiscSample> {

    public static final String NAME = "qdisc";
    static final List<String> SHOW = List.of("tc", "-s", "-j", "qdisc", "show");

    private static final Logger LOG = LoggerFactory.getLogger(QdiscCollector.class);
    private static final Path LIVE_PROC = Path.of("/proc");

    private final Path classNet;
    private final Function<List<String>, String> commands;
    private final SettingsRefresh.Clock when;
    private final ByteQueueLimits bql = new ByteQueueLimits();
    private final AtomicLong malformed = new AtomicLong();
    private final ToolHealth tc = new ToolHealth(LOG);

    /**
     * @param commands runs a command and answers its output, or null when it cannot be run; null runs nothing, so
     *        that every sample is empty
     * @param when     which rounds read the qdiscs
     */
    public QdiscCollector(Path sysRoot, Function<List<String>, String> commands, SettingsRefresh when) {
        this.classNet = sysRoot.resolve("class/net");
        this.commands = commands;
        this.when = when.clock();
    }

    /** For the live host (proc root {@code /proc}) {@code tc}; any other root is a tree {@code tc} knows nothing of. */
    public static QdiscCollector of(Path procRoot, Path sysRoot, SettingsRefresh when) {
        boolean live = procRoot.toAbsolutePath().normalize().equals(LIVE_PROC);
        return new QdiscCollector(sysRoot, live ? ToolRun::run : null, when);
    }

    @Override
    public synchronized QdiscSample collect(SampleHeader header) throws CollectException {
        if (!when.due()) {
            return null;
        }
        if (commands == null) {
            return new QdiscSample(header, new ArrayList<>(), new ArrayList<>());
        }
        String out = commands.apply(SHOW);
        if (out == null) {
            tc.failed("`tc -s -j qdisc show` did not work (iproute2 not installed, or over 2 s): no qdisc samples "
                    + "until it does");
            return null;
        }
        tc.worked("`tc -s -j qdisc show` works again: qdisc samples are published");
        TcQdiscs.Parsed parsed = TcQdiscs.parse(out);
        if (!parsed.malformed().isEmpty()) {
            malformed.addAndGet(parsed.malformed().size());
            LOG.debug("tc -s -j qdisc show: skipped {}", parsed.malformed());
        }
        Set<String> devices = new LinkedHashSet<>();
        for (Qdisc q : parsed.qdiscs()) {
            devices.add(q.getInterface$());
        }
        List<TxQueue> queues = new ArrayList<>();
        for (String dev : devices) {
            queues.addAll(bql.read(classNet, dev));
        }
        return new QdiscSample(header, new ArrayList<>(parsed.qdiscs()), queues);
    }

    @Override
    public long malformedLines() {
        return malformed.get();
    }

    @Override
    public long unavailableRounds() {
        return tc.unavailableRounds();
    }
}
