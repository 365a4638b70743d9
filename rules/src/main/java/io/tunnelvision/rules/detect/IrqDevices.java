package io.tunnelvision.rules.detect;

import io.tunnelvision.schemas.avro.IrqLine;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which device an IRQ line serves and whether it is one of its queues. A NIC is one device however its driver
 * names its vectors: the bus address when the sample has it (the agent's {@code busId}, or the one mlx5, gve
 * and ena put after '@'), else the interface or virtio device in the name. Control vectors (mlx5_async,
 * i40e/ice {@code :misc}, gve/ena {@code mgmnt}, {@code virtioN-config}) carry no packets and never count as
 * queues: moving them spreads nothing.
 *
 * <p>Names follow the drivers' {@code request_irq} formats: mlx5 {@code mlx5_comp%d@pci:%s}, gve
 * {@code gve-ntfy-blk%d@pci:%s}, ena {@code %s-Tx-Rx-%d} and {@code ena-mgmnt@pci:%s}, i40e/ice/iavf
 * {@code <drv>-<if>-TxRx-%d} (also {@code -rx-}/{@code -tx-}) and {@code <drv>-<bus>:misc}, bnxt, ixgbe, igb
 * {@code <if>-TxRx-%d}, virtio-net {@code virtio%d-input.%d}/{@code output.%d}.
 */
public final class IrqDevices {

    /** What a vector does for its device. */
    public enum Role {
        /** Carries a queue's (or queue pair's) packets: what spreading moves. */
        QUEUE,
        /** Link, mailbox, admin or async events: never a queue. */
        CONTROL,
        /**
         * The interface's bare name: the link vector beside numbered queues (ixgbe, igb, e1000e), or the only
         * vector of a single-vector NIC. {@link #group} decides which.
         */
        PLAIN
    }

    /**
     * @param device the bus address, else the interface or virtio device name
     * @param queue  the queue number, the same for a queue's rx and tx vectors; null unless {@link Role#QUEUE}
     */
    public record Vector(String device, Role role, String queue) {
    }

    /** What the agent found for an IRQ in sysfs; both parts optional (null). */
    public record Placement(String busId, String netdev) {
        public static final Placement NONE = new Placement(null, null);
    }

    /** One IRQ line as the grouping needs it: its number or label, its names and its placement. */
    public record Line(String irq, List<String> names, Placement placement) {
        public Line {
            names = List.copyOf(names);
            placement = placement == null ? Placement.NONE : placement;
        }
    }

    /**
     * The vectors of one device.
     *
     * @param queues  queue number to the IRQs serving it (rx and tx vectors of one queue share a number)
     * @param control IRQs that are not queues
     */
    public record Device(String device, String netdev, Map<String, List<String>> queues, List<String> control) {

        /** How many queues the device has: 1 is a single-queue NIC, whose IRQ spreading can only move. */
        public int queueCount() {
            return queues.size();
        }

        public List<String> queueIrqs() {
            return queues.values().stream().flatMap(List::stream).toList();
        }
    }

    private static final String BUS = "(?:[0-9a-fA-F]{4,}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]";
    private static final Pattern AT_BUS = Pattern.compile("^(?<what>[^@]+)@(?:pci:)?(?<bus>" + BUS + ")$");
    private static final Pattern INTEL_CONTROL = Pattern.compile("^[a-z0-9_]+-(?<bus>" + BUS + ")[:-].*$");
    private static final Pattern INTEL_QUEUE =
            Pattern.compile("^(?:i40e|ice|iavf|idpf|ixgbe|ixgbevf|igb|igc|fm10k)-(?<if>.+)-(?:TxRx|rx|tx)-(?<q>\\d+)$");
    private static final Pattern VIRTIO_QUEUE = Pattern.compile("^(?<dev>virtio\\d+)-(?:input|output)\\.(?<q>\\d+)$");
    private static final Pattern VIRTIO_OTHER = Pattern.compile("^(?<dev>virtio\\d+)-(?<what>.+)$");
    private static final Pattern SUFFIXED_QUEUE = Pattern.compile(
            "^(?<if>.+?)-(?:TxRx|Tx-Rx|txrx|rx|tx|fp|combined|queue)-(?<q>\\d+)$", Pattern.CASE_INSENSITIVE);
    private static final Pattern NUMBERED = Pattern.compile("^(?<if>.+?)-(?<q>\\d+)$");
    private static final Pattern TRAILING_NUMBER = Pattern.compile("(\\d+)$");
    // Words drivers use for their non-queue vectors: mlx5_async/mlx5_pages_eq/mlx5_cmd_eq, ena-mgmnt,
    // gve-mgmnt, i40e/ice misc, iavf mbx, ice ctrl (its flow-director VSI has a "TxRx" vector of its own).
    private static final Pattern CONTROL_WORDS =
            Pattern.compile("async|mgmnt|mgmt|misc|ctrl|cmd|pages|mbx|adminq|config|err|link|other");

    // Since Linux 6.2 per-device MSI domains print the chip as IR-PCI-MSIX-0000:17:00.0
    private static final Pattern CHIP_BUS = Pattern.compile("-(" + BUS + ")$");

    private IrqDevices() {
    }

    /** The agent's placement of a sampled line; without a busId, the bus address in the chip name if any. */
    public static Placement placementOf(IrqLine line) {
        String bus = line.getBusId();
        if ((bus == null || bus.isBlank()) && line.getChip() != null) {
            Matcher m = CHIP_BUS.matcher(line.getChip());
            bus = m.find() ? m.group(1) : null;
        }
        return new Placement(bus, line.getNetdev());
    }

    /** Device and role by the name alone. */
    public static Vector classify(String name) {
        return classify(name, Placement.NONE);
    }

    /** Device and role; the placement's bus address, when known, names the device. */
    public static Vector classify(String name, Placement placement) {
        Vector byName = byName(name.trim());
        if (placement != null && placement.busId() != null && !placement.busId().isBlank()) {
            return new Vector(placement.busId(), byName.role(), byName.queue());
        }
        return byName;
    }

    private static Vector byName(String name) {
        Matcher m = AT_BUS.matcher(name);
        if (m.matches()) {
            String what = m.group("what");
            Matcher number = TRAILING_NUMBER.matcher(what);
            boolean queue = !CONTROL_WORDS.matcher(what).find() && number.find();
            return queue ? new Vector(m.group("bus"), Role.QUEUE, number.group(1))
                    : new Vector(m.group("bus"), Role.CONTROL, null);
        }
        m = VIRTIO_QUEUE.matcher(name);
        if (m.matches()) {
            return new Vector(m.group("dev"), Role.QUEUE, m.group("q"));
        }
        m = VIRTIO_OTHER.matcher(name);
        if (m.matches()) {
            // virtioN-virtqueues: every queue on one vector, the single-vector case
            return new Vector(m.group("dev"), m.group("what").equals("virtqueues") ? Role.PLAIN : Role.CONTROL, null);
        }
        m = INTEL_CONTROL.matcher(name);
        if (m.matches()) {
            return new Vector(m.group("bus"), Role.CONTROL, null);
        }
        m = INTEL_QUEUE.matcher(name);
        if (m.matches()) {
            return new Vector(m.group("if"), Role.QUEUE, m.group("q"));
        }
        m = SUFFIXED_QUEUE.matcher(name);
        if (m.matches()) {
            return new Vector(m.group("if"), Role.QUEUE, m.group("q"));
        }
        m = NUMBERED.matcher(name);
        if (m.matches()) {
            return new Vector(m.group("if"), Role.QUEUE, m.group("q"));
        }
        return new Vector(name, Role.PLAIN, null);
    }

    /**
     * The devices of one sample's lines. Name-derived interface names become the bus address when another line
     * of the sample ties that interface to one (netdev + busId), so an agent that placed some IRQs and not
     * others still yields one device. A bare-name vector is a queue only on a device without numbered queues.
     * A line whose names belong to two devices is no device's queue: moving it would move the other's too.
     */
    public static Map<String, Device> group(List<Line> lines) {
        Map<String, String> busOfNetdev = new HashMap<>();
        for (Line line : lines) {
            Placement p = line.placement();
            if (p.busId() != null && p.netdev() != null) {
                busOfNetdev.putIfAbsent(p.netdev(), p.busId());
            }
        }
        Map<String, Builder> devices = new LinkedHashMap<>();
        for (Line line : lines) {
            Set<String> deviceNames = new LinkedHashSet<>();
            List<Vector> vectors = new ArrayList<>();
            for (String name : line.names()) {
                Vector v = classify(name, line.placement());
                String device = busOfNetdev.getOrDefault(v.device(), v.device());
                vectors.add(new Vector(device, v.role(), v.queue()));
                deviceNames.add(device);
            }
            boolean shared = deviceNames.size() > 1;
            for (String device : deviceNames) {
                Builder b = devices.computeIfAbsent(device, Builder::new);
                if (b.netdev == null) {
                    b.netdev = line.placement().netdev();
                }
                Vector v = vectors.stream().filter(x -> x.device().equals(device))
                        .min(Comparator.comparing(Vector::role)).orElseThrow();
                if (shared || v.role() == Role.CONTROL) {
                    b.control.add(line.irq());
                } else if (v.role() == Role.PLAIN) {
                    b.plain.add(line.irq());
                } else {
                    b.queues.computeIfAbsent(v.queue(), q -> new ArrayList<>()).add(line.irq());
                }
            }
        }
        Map<String, Device> out = new LinkedHashMap<>();
        devices.forEach((name, b) -> out.put(name, b.build()));
        return out;
    }

    private static final class Builder {
        final String device;
        String netdev;
        final Map<String, List<String>> queues = new LinkedHashMap<>();
        final List<String> control = new ArrayList<>();
        final List<String> plain = new ArrayList<>();

        Builder(String device) {
            this.device = device;
        }

        Device build() {
            Map<String, List<String>> q = new LinkedHashMap<>();
            queues.forEach((k, v) -> q.put(k, List.copyOf(v)));
            List<String> c = new ArrayList<>(control);
            if (q.isEmpty()) {
                // each bare-name vector of a device without numbered queues is a queue of its own
                for (int i = 0; i < plain.size(); i++) {
                    q.put("plain" + i, List.of(plain.get(i)));
                }
            } else {
                c.addAll(plain);
            }
            return new Device(device, netdev, Collections.unmodifiableMap(q), List.copyOf(c));
        }
    }
}
