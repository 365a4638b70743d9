package io.tunnelvision.agent.collect;

import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.IrqLine;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /proc/interrupts}, {@code /proc/softirqs} and {@code /proc/stat} in one {@link InterruptSample},
 * every per-CPU array following the online CPUs of the {@code /proc/interrupts} header.
 *
 * <p>They travel together because the questions asked of them are joint: is the CPU that takes the NIC's
 * hard IRQs also the one whose NET_RX softirqs and si% are high. {@code /proc/interrupts} is required (every
 * kernel has it); without {@code /proc/softirqs} or a usable {@code /proc/stat} the matching arrays are empty,
 * which readers must tell apart from an array as long as {@code onlineCpus}.
 *
 * <p>Each kept IRQ line also carries its placement ({@link IrqPlacement}: configured and effective affinity, the
 * device, interface, NUMA node and local CPUs behind it), which the IRQ remedy needs to spread a NIC's queues and
 * to state the compare-and-set value of its command. Placement is a setting: it is read when the
 * {@link SettingsRefresh} says so and for an IRQ line not seen before, and the values read last are sent in
 * between, so a round between two refreshes opens no more files than before.
 */
public final class InterruptCollector implements Collector<InterruptSample> {

    public static final String NAME = "interrupts";

    private static final Logger LOG = LoggerFactory.getLogger(InterruptCollector.class);

    private final Path interrupts;
    private final Path softirqs;
    private final Path stat;
    private final InterruptsParser parser;
    private final FileBuffer buffer = new FileBuffer();
    private final AtomicLong malformed = new AtomicLong();
    private final IrqPlacements placements;
    private final SettingsRefresh.Clock refresh;
    private Map<String, IrqDevice> devices = Map.of();
    private Map<String, IrqPlacement> lastPlacements = Map.of();

    /**
     * @param devicePattern which /proc/interrupts rows to keep, see {@link InterruptsParser#DEFAULT_DEVICES}
     * @param refresh when the placement of the kept IRQs is read again; the counters are read every round
     */
    public InterruptCollector(Path procRoot, Path sysRoot, Pattern devicePattern, SettingsRefresh refresh) {
        this.interrupts = procRoot.resolve("interrupts");
        this.softirqs = procRoot.resolve("softirqs");
        this.stat = procRoot.resolve("stat");
        this.parser = new InterruptsParser(devicePattern);
        this.placements = new IrqPlacements(procRoot, sysRoot, malformed);
        this.refresh = refresh.clock();
    }

    @Override
    public synchronized InterruptSample collect(SampleHeader header) throws CollectException {
        InterruptsParse parsed = parseInterrupts();
        int[] cpus = parsed.cpus();
        List<Integer> onlineCpus = new ArrayList<>(cpus.length);
        for (int cpu : cpus) {
            onlineCpus.add(cpu);
        }
        place(parsed.lines());
        long[][] net = netSoftirqs(cpus);
        long[][] times = cpuTimes(cpus);
        return new InterruptSample(header, onlineCpus, parsed.lines(), LongList.of(parsed.otherTotals()),
                LongList.of(net[0]), LongList.of(net[1]), LongList.of(times[0]), LongList.of(times[1]));
    }

    @Override
    public long malformedLines() {
        return malformed.get();
    }

    private InterruptsParse parseInterrupts() throws CollectException {
        CharSequence text;
        try {
            text = buffer.read(interrupts);
        } catch (IOException e) {
            throw new CollectException("Cannot read " + interrupts + ": " + e.getMessage(), e);
        }
        if (text == null) {
            throw new CollectException(interrupts + " does not exist, yet every Linux kernel has it: check that "
                    + "the proc root points at a mounted procfs");
        }
        try {
            InterruptsParse parsed = parser.parse(text);
            malformed.addAndGet(parsed.malformedLines());
            return parsed;
        } catch (MalformedFileException e) {
            malformed.incrementAndGet();
            throw new CollectException(interrupts + " cannot be used: " + e.getMessage(), e);
        }
    }

    /** Fills each line's placement: read when due or when the IRQ is new, else the values read last. */
    private void place(List<IrqLine> lines) {
        boolean due = refresh.due();
        if (due) {
            devices = placements.devices();
        }
        Map<String, IrqPlacement> now = new HashMap<>(lines.size() * 2);
        for (IrqLine line : lines) {
            IrqPlacement placement = due ? null : lastPlacements.get(line.getIrq());
            if (placement == null) {
                placement = placements.read(line.getIrq(), devices.get(line.getIrq()));
            }
            placement.copyTo(line);
            now.put(line.getIrq(), placement);
        }
        lastPlacements = now;
    }

    /** NET_RX and NET_TX aligned with {@code cpus}; empty arrays when they cannot be. */
    private long[][] netSoftirqs(int[] cpus) {
        long[][] none = {new long[0], new long[0]};
        CharSequence text = OptionalFile.read(buffer::read, softirqs);
        if (text == null) {
            return none;
        }
        SoftirqsParse parsed;
        try {
            parsed = SoftirqsParser.parse(text);
        } catch (MalformedFileException e) {
            malformed.incrementAndGet();
            LOG.debug("{} cannot be used: {}", softirqs, e.getMessage());
            return none;
        }
        malformed.addAndGet(parsed.malformedLines());
        long[] rx = parsed.netRx() == null ? null : CpuColumns.align(cpus, parsed.cpus(), parsed.netRx());
        long[] tx = parsed.netTx() == null ? null : CpuColumns.align(cpus, parsed.cpus(), parsed.netTx());
        if (rx == null || tx == null) {
            LOG.debug("{} has no usable NET_RX/NET_TX row for every online CPU", softirqs);
        }
        return new long[][] {rx == null ? none[0] : rx, tx == null ? none[1] : tx};
    }

    /** softirq and total ticks aligned with {@code cpus}; empty arrays when they cannot be. */
    private long[][] cpuTimes(int[] cpus) {
        long[][] none = {new long[0], new long[0]};
        CharSequence text = OptionalFile.read(buffer::read, stat);
        if (text == null) {
            return none;
        }
        CpuTimes parsed = ProcStatParser.parse(text);
        malformed.addAndGet(parsed.malformedLines());
        long[] softirq = CpuColumns.align(cpus, parsed.cpus(), parsed.softirqTicks());
        long[] total = CpuColumns.align(cpus, parsed.cpus(), parsed.totalTicks());
        if (softirq == null || total == null) {
            // A CPU that went offline between the two reads, or a malformed line.
            LOG.debug("{} has no cpu line for every CPU of {}", stat, interrupts);
            return none;
        }
        return new long[][] {softirq, total};
    }

}
