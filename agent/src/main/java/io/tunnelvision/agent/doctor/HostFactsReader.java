package io.tunnelvision.agent.doctor;

import io.tunnelvision.agent.collect.Route;
import io.tunnelvision.agent.collect.RouteTable;
import io.tunnelvision.rules.cpu.CpuList;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@link HostFacts} from injected {@code /proc} and {@code /sys} roots. Never shells out; a file this kernel
 * lacks is a null field or a fallback, with a debug line.
 */
public final class HostFactsReader {

    private static final Logger LOG = LoggerFactory.getLogger(HostFactsReader.class);

    /** More than any file read here holds on a gateway (route tables with thousands of routes stay below). */
    private static final int MAX_BYTES = 4 * 1024 * 1024;

    private final Path procRoot;
    private final Path sysRoot;

    public HostFactsReader(Path procRoot, Path sysRoot) {
        this.procRoot = procRoot;
        this.sysRoot = sysRoot;
    }

    /**
     * @param interruptCpus the CPUs of the {@code /proc/interrupts} header, used when sysfs has no {@code online}
     *        (a container that mounts only /proc)
     */
    public HostFacts read(List<Integer> interruptCpus) {
        BitSet online = cpuList(sysRoot.resolve("devices/system/cpu/online"));
        if (online == null || online.isEmpty()) {
            online = new BitSet();
            for (int cpu : interruptCpus) {
                online.set(cpu);
            }
            LOG.debug("No usable {}: online CPUs taken from /proc/interrupts",
                    sysRoot.resolve("devices/system/cpu/online"));
        }
        if (online.isEmpty()) {
            online.set(0);
        }
        BitSet possible = cpuList(sysRoot.resolve("devices/system/cpu/possible"));
        int possibleCpus = possible == null || possible.isEmpty()
                ? online.length() : Math.max(possible.length(), online.length());
        List<Route> all = new ArrayList<>(RouteTable.ipv4(text(procRoot.resolve("net/route"))));
        all.addAll(RouteTable.ipv6(text(procRoot.resolve("net/ipv6_route"))));
        List<DefaultRoute> routes = new ArrayList<>();
        for (Route r : all) {
            if (r.isDefault() && !r.iface().equals("lo")) {
                routes.add(new DefaultRoute(r.iface(), r.metric(), r.ipv6()));
            }
        }
        Long forward = number(procRoot.resolve("sys/net/ipv4/ip_forward"));
        String rpsDefault = text(procRoot.resolve("sys/net/core/rps_default_mask"));
        return new HostFacts(online, possibleCpus, routes, forward == null ? null : forward != 0,
                number(procRoot.resolve("sys/net/core/rmem_default")),
                number(procRoot.resolve("sys/net/core/wmem_default")),
                rpsDefault == null ? null : rpsDefault.strip(), irqbalanceRunning());
    }

    /** Whether some {@code <proc>/<pid>/comm} is {@code irqbalance}. */
    private boolean irqbalanceRunning() {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(procRoot)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
                    String comm = text(entry.resolve("comm"));
                    if (comm != null && comm.strip().equals("irqbalance")) {
                        return true;
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("Cannot list {}: {}", procRoot, e.getMessage());
        }
        return false;
    }

    private static BitSet cpuList(Path file) {
        String text = text(file);
        if (text == null) {
            return null;
        }
        try {
            return CpuList.parse(text);
        } catch (IllegalArgumentException e) {
            LOG.debug("{} is not a CPU list: {}", file, e.getMessage());
            return null;
        }
    }

    private static Long number(Path file) {
        String text = text(file);
        if (text == null) {
            return null;
        }
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            LOG.debug("{} holds no number", file);
            return null;
        }
    }

    /**
     * The whole file, or null when it does not exist or cannot be read (a process that exited, a file this kernel
     * lacks). Read with one large buffer: numeric files in /proc/sys answer only a read at offset 0.
     */
    static String text(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            int total = 0;
            while (true) {
                int n = in.read(buffer, total, buffer.length - total);
                if (n <= 0) {
                    break;
                }
                total += n;
                if (total == buffer.length) {
                    if (buffer.length >= MAX_BYTES) {
                        break;
                    }
                    buffer = Arrays.copyOf(buffer, Math.min(buffer.length * 2, MAX_BYTES));
                }
            }
            return new String(buffer, 0, total, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            LOG.debug("Cannot read {}: {}", file, e.getMessage());
            return null;
        }
    }
}
