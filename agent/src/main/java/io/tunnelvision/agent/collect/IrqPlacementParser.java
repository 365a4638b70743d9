package io.tunnelvision.agent.collect;

import io.tunnelvision.rules.cpu.CpuList;
import java.nio.file.Path;

/**
 * The values of the one-value files that place an IRQ: {@code smp_affinity_list}, {@code effective_affinity_list},
 * {@code local_cpulist} (CPU lists), {@code numa_node} and {@code /proc/irq/<n>/node} (a node or -1), and the
 * bus id a {@code device} link names. Pure: the text in, the value out; {@link IrqPlacements} does the reading.
 */
final class IrqPlacementParser {

    private IrqPlacementParser() {
    }

    /**
     * {@code text} trimmed, once {@link CpuList} accepts it; null for an empty list (the effective affinity of an
     * IRQ that is shut down).
     *
     * @throws MalformedFileException when it is not a CPU list such as {@code 0-3,8}
     */
    static String cpuList(String text) throws MalformedFileException {
        String list = text.strip();
        try {
            CpuList.parse(list);
        } catch (IllegalArgumentException e) {
            throw new MalformedFileException(e.getMessage());
        }
        return list.isEmpty() ? null : list;
    }

    /**
     * The NUMA node, or null for the kernel's -1 (no NUMA information: a single-node host, or firmware that does
     * not say).
     *
     * @throws MalformedFileException when it is neither -1 nor a node number
     */
    static Integer numaNode(String text) throws MalformedFileException {
        String value = text.strip();
        if (value.equals("-1")) {
            return null;
        }
        long node = Scan.decimal(value, 0, value.length());
        if (node < 0 || node > Integer.MAX_VALUE) {
            throw new MalformedFileException("'" + value + "' is not a NUMA node (a number or -1)");
        }
        return (int) node;
    }

    /**
     * The bus id of a device link's target: its last component, as sysfs names a device by its address
     * ({@code ../../../0000:3b:00.0}, {@code ../../../virtio2}).
     */
    static String busId(Path linkTarget) {
        Path name = linkTarget.getFileName();
        return name == null ? null : name.toString();
    }
}
