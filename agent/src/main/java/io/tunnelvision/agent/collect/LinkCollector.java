package io.tunnelvision.agent.collect;

import io.tunnelvision.schemas.avro.LinkCounters;
import io.tunnelvision.schemas.avro.LinkSample;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-interface counters from {@code /sys/class/net/<if>/statistics}, falling back to {@code /proc/net/dev}
 * for an interface without that directory or for every interface when sysfs is not there.
 *
 * <p>Why sysfs first: it has the overrun counter ({@code rx_over_errors}, the softirq not keeping up) on its
 * own, where {@code /proc/net/dev} folds it into "frame" (see {@link ProcNetDevParser}). Why the fallback:
 * containers often see {@code /proc} of the host's network namespace but no matching {@code /sys}.
 */
public final class LinkCollector implements Collector<LinkSample> {

    public static final String NAME = "link";

    private static final Logger LOG = LoggerFactory.getLogger(LinkCollector.class);

    // The order of the LinkCounters fields after the name.
    private static final String[] STATISTICS = {"rx_bytes", "rx_packets", "rx_errors", "rx_dropped",
        "rx_fifo_errors", "rx_over_errors", "rx_frame_errors", "tx_bytes", "tx_packets", "tx_errors", "tx_dropped",
        "tx_fifo_errors", "tx_carrier_errors"};

    private final Path classNet;
    private final Path procNetDev;
    private final FileBuffer buffer = new FileBuffer();
    private final SmallFiles files = new SmallFiles();
    private final AtomicLong malformed = new AtomicLong();

    public LinkCollector(Path procRoot, Path sysRoot) {
        this.classNet = sysRoot.resolve("class/net");
        this.procNetDev = procRoot.resolve("net/dev");
    }

    @Override
    public synchronized LinkSample collect(SampleHeader header) throws CollectException {
        List<String> names;
        try {
            names = Dirs.subdirectories(classNet);
        } catch (IOException e) {
            throw new CollectException("Cannot list " + classNet + ": " + e.getMessage(), e);
        }
        if (names == null) {
            LOG.debug("{} does not exist: taking every interface from {}", classNet, procNetDev);
            List<LinkCounters> all = procNetDev();
            if (all == null) {
                throw new CollectException("Neither " + classNet + " nor " + procNetDev + " exists: check that the "
                        + "sys root points at a mounted sysfs and the proc root at a mounted procfs");
            }
            return new LinkSample(header, all);
        }
        List<LinkCounters> interfaces = new ArrayList<>(names.size());
        List<LinkCounters> fallback = null;
        for (String name : names) {
            LinkCounters counters = fromSysfs(name);
            if (counters == null) {
                if (fallback == null) {
                    fallback = procNetDev();
                }
                counters = find(fallback, name);
            }
            if (counters != null) {
                interfaces.add(counters);
            }
        }
        return new LinkSample(header, interfaces);
    }

    @Override
    public long malformedLines() {
        return malformed.get();
    }

    /** The counters of one interface, or null when its statistics directory (or a file in it) is missing. */
    private LinkCounters fromSysfs(String name) {
        Path statistics = classNet.resolve(name).resolve("statistics");
        long[] values = new long[STATISTICS.length];
        for (int k = 0; k < STATISTICS.length; k++) {
            Path file = statistics.resolve(STATISTICS[k]);
            try {
                Long value = files.readLong(file);
                if (value == null) {
                    LOG.debug("{} does not exist", file);
                    return null;
                }
                values[k] = value;
            } catch (NumberFormatException e) {
                malformed.incrementAndGet();
                LOG.debug("{} holds no number", file);
                return null;
            } catch (IOException e) {
                LOG.debug("Cannot read {} (interface gone?): {}", file, e.getMessage());
                return null;
            }
        }
        return new LinkCounters(name, values[0], values[1], values[2], values[3], values[4], values[5], values[6],
                values[7], values[8], values[9], values[10], values[11], values[12]);
    }

    /** Every interface of /proc/net/dev, or null if the file does not exist or cannot be read. */
    private List<LinkCounters> procNetDev() {
        try {
            CharSequence text = buffer.read(procNetDev);
            if (text == null) {
                LOG.debug("{} does not exist", procNetDev);
                return null;
            }
            LinkParse parsed = ProcNetDevParser.parse(text);
            malformed.addAndGet(parsed.malformedLines());
            return parsed.interfaces();
        } catch (IOException e) {
            LOG.warn("Cannot read {}: {}", procNetDev, e.getMessage());
            return null;
        }
    }

    private static LinkCounters find(List<LinkCounters> interfaces, String name) {
        if (interfaces != null) {
            for (LinkCounters counters : interfaces) {
                if (counters.getName().equals(name)) {
                    return counters;
                }
            }
        }
        LOG.debug("No counters for {} in sysfs or /proc/net/dev (interface gone?)", name);
        return null;
    }
}
