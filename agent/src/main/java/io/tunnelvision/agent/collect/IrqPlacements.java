package io.tunnelvision.agent.collect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads where IRQs may land ({@code /proc/irq/<n>/}) and which network device each serves
 * ({@code /sys/class/net/<netdev>/device/msi_irqs/}), for {@link InterruptCollector}, which asks only when its
 * {@link SettingsRefresh} says so or an IRQ line is new.
 *
 * <p>Files: per IRQ {@code smp_affinity_list} and {@code effective_affinity_list}, plus {@code node} for an IRQ
 * no interface's device lists (a virtio NIC's {@code device} is the virtio device, whose MSI vectors sit on the
 * PCI parent; legacy and platform IRQs); per interface with a {@code device} link, the link, a listing of
 * {@code msi_irqs}, {@code numa_node} and {@code local_cpulist}. On a gateway with a 64-queue NIC that is some
 * 130 files every refresh (10 s by default) and none in between.
 *
 * <p>Nothing here fails the collection: what is missing is a null field and a debug line (effective affinity
 * needs 4.15, a tree standing in for sysfs has no links), what cannot be parsed is counted as malformed. Not
 * thread-safe (the collector is synchronized).
 */
final class IrqPlacements {

    private static final Logger LOG = LoggerFactory.getLogger(IrqPlacements.class);

    private final Path procIrq;
    private final Path classNet;
    private final AtomicLong malformed;
    private final SmallFiles files = new SmallFiles();

    IrqPlacements(Path procRoot, Path sysRoot, AtomicLong malformed) {
        this.procIrq = procRoot.resolve("irq");
        this.classNet = sysRoot.resolve("class/net");
        this.malformed = malformed;
    }

    /**
     * The device of every IRQ some interface's {@code device/msi_irqs} lists, by IRQ number. Interfaces are
     * looked at in name order and the first to list an IRQ keeps it (ports of one device list the same vectors).
     */
    Map<String, IrqDevice> devices() {
        Map<String, IrqDevice> byIrq = new HashMap<>();
        List<String> netdevs;
        try {
            netdevs = Dirs.subdirectories(classNet);
        } catch (IOException e) {
            LOG.warn("Cannot list {}: {}", classNet, e.getMessage());
            return byIrq;
        }
        if (netdevs == null) {
            LOG.debug("{} does not exist: IRQs are sent without their device", classNet);
            return byIrq;
        }
        for (String netdev : netdevs) {
            Path link = classNet.resolve(netdev).resolve("device");
            if (!Files.isSymbolicLink(link)) {
                // virtual interfaces (tun, wg, bridges) have none; a plain tree standing in for sysfs has a directory
                continue;
            }
            try {
                String busId = IrqPlacementParser.busId(Files.readSymbolicLink(link));
                List<String> irqs = Dirs.entries(link.resolve("msi_irqs"), "");
                if (busId == null || irqs.isEmpty()) {
                    LOG.debug("{} lists no MSI IRQs (no msi_irqs: a virtio or platform device)", link);
                    continue;
                }
                IrqDevice device = new IrqDevice(netdev, busId, numaNode(link.resolve("numa_node")),
                        cpuList(link.resolve("local_cpulist")));
                for (String irq : irqs) {
                    byIrq.putIfAbsent(irq, device);
                }
            } catch (IOException e) {
                // an interface removed while being read, most likely
                LOG.debug("Cannot read the device of {}: {}", netdev, e.getMessage());
            }
        }
        return byIrq;
    }

    /** IRQ {@code irq}'s placement; {@code device} is its entry of {@link #devices()}, or null. */
    IrqPlacement read(String irq, IrqDevice device) {
        if (!Scan.isDigits(irq, 0, irq.length())) {
            return IrqPlacement.UNKNOWN;
        }
        Path dir = procIrq.resolve(irq);
        String affinity = cpuList(dir.resolve("smp_affinity_list"));
        String effective = cpuList(dir.resolve("effective_affinity_list"));
        if (device == null) {
            return new IrqPlacement(affinity, effective, null, null, numaNode(dir.resolve("node")), null);
        }
        return new IrqPlacement(affinity, effective, device.busId(), device.netdev(), device.numaNode(),
                device.localCpus());
    }

    private String cpuList(Path file) {
        return parsed(file, IrqPlacementParser::cpuList);
    }

    private Integer numaNode(Path file) {
        return parsed(file, IrqPlacementParser::numaNode);
    }

    private interface Parser<T> {
        T parse(String text) throws MalformedFileException;
    }

    /** The file's value, or null when it is missing or malformed (counted). */
    private <T> T parsed(Path file, Parser<T> parser) {
        String text = OptionalFile.read(files::read, file);
        if (text == null) {
            return null;
        }
        try {
            return parser.parse(text);
        } catch (MalformedFileException e) {
            malformed.incrementAndGet();
            LOG.debug("{} cannot be used: {}", file, e.getMessage());
            return null;
        }
    }

}
