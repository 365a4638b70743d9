package io.tunnelvision.agent.collect;

import io.tunnelvision.schemas.avro.NicQueue;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code ethtool -S} names of each driver turned into names that mean the same on every NIC, so that one
 * detector reads them all. Device-wide (sums where a driver counts per queue only):
 * <table>
 *   <caption>normalised name: the drivers' originals</caption>
 *   <tr><td>{@code rx_missed}</td><td>the NIC's own buffer was full, the packet never reached a ring: ixgbe, igb,
 *       e1000e {@code rx_missed_errors}; mlx5 {@code rx_discards_phy}</td></tr>
 *   <tr><td>{@code rx_no_buffer}</td><td>the ring had no free descriptor (the ring was full): mlx5
 *       {@code rx_out_of_buffer}; ixgbe, igb {@code rx_no_buffer_count}; i40e {@code port.rx_dropped}; ice
 *       {@code rx_dropped.nic}</td></tr>
 *   <tr><td>{@code rx_dropped}, {@code tx_dropped}</td><td>{@code rx_dropped}, {@code tx_dropped} (ixgbe, i40e,
 *       ice, igb); ena {@code rx_drops}, {@code tx_drops}; virtio_net {@code rx_drops}</td></tr>
 *   <tr><td>{@code rx_fifo}</td><td>{@code rx_fifo_errors} (ixgbe, igb)</td></tr>
 * </table>
 * Per queue: packets from i40e {@code rx-N.packets}, ixgbe/ice/igb {@code rx_queue_N_packets}, mlx5/virtio_net
 * {@code rxN_packets}, ena {@code queue_N_rx_cnt} (and the tx ones alike); drops from virtio_net {@code rxN_drops}
 * and veth {@code rx_queue_N_drops}. Names not listed are left out of the sample: a NIC prints hundreds.
 */
public final class NicCounterNames {

    private static final Map<String, String> DEVICE = Map.ofEntries(
            Map.entry("rx_missed_errors", "rx_missed"),
            Map.entry("rx_discards_phy", "rx_missed"),
            Map.entry("rx_out_of_buffer", "rx_no_buffer"),
            Map.entry("rx_no_buffer_count", "rx_no_buffer"),
            Map.entry("port.rx_dropped", "rx_no_buffer"),
            Map.entry("rx_dropped.nic", "rx_no_buffer"),
            Map.entry("rx_dropped", "rx_dropped"),
            Map.entry("rx_drops", "rx_dropped"),
            Map.entry("tx_dropped", "tx_dropped"),
            Map.entry("tx_drops", "tx_dropped"),
            Map.entry("rx_fifo_errors", "rx_fifo"));

    /** Queue counters: group 1 the queue, group 2 which counter. */
    private static final List<Pattern> QUEUE = List.of(
            Pattern.compile("(?:rx|tx)-(\\d+)\\.(packets)"),
            Pattern.compile("(?:rx|tx)_queue_(\\d+)_(packets|drops)"),
            Pattern.compile("(?:rx|tx)(\\d+)_(packets|drops)"),
            Pattern.compile("queue_(\\d+)_(?:rx|tx)_(cnt)"));
    /** More queues than any NIC has (mlx5 and ice: a few hundred): a larger number is a misread name. */
    private static final int MAX_QUEUE = 4096;

    private NicCounterNames() {
    }

    /** The device-wide counters under their normalised names; several originals of one name are summed. */
    public static Map<String, Long> device(Map<String, Long> raw) {
        Map<String, Long> out = new TreeMap<>();
        for (Map.Entry<String, Long> e : raw.entrySet()) {
            String name = DEVICE.get(e.getKey());
            if (name != null) {
                out.merge(name, e.getValue(), Long::sum);
            }
        }
        return out;
    }

    /** The per-queue counters, by queue number. */
    public static List<NicQueue> queues(Map<String, Long> raw) {
        Map<Integer, NicQueue> queues = new TreeMap<>();
        for (Map.Entry<String, Long> e : raw.entrySet()) {
            String name = e.getKey();
            boolean rx = name.startsWith("rx") || name.contains("_rx_");
            for (Pattern p : QUEUE) {
                Matcher m = p.matcher(name);
                if (!m.matches()) {
                    continue;
                }
                int q;
                try {
                    q = Integer.parseInt(m.group(1));
                } catch (NumberFormatException ex) {
                    break;
                }
                if (q > MAX_QUEUE) {
                    break;
                }
                NicQueue queue = queues.computeIfAbsent(q, n -> new NicQueue(n, null, null, null, null));
                boolean drops = "drops".equals(m.group(2));
                if (rx && drops) {
                    queue.setRxDrops(e.getValue());
                } else if (rx) {
                    queue.setRxPackets(e.getValue());
                } else if (drops) {
                    queue.setTxDrops(e.getValue());
                } else {
                    queue.setTxPackets(e.getValue());
                }
                break;
            }
        }
        return List.copyOf(queues.values());
    }
}
