package io.tunnelvision.local.sim;

import java.util.List;
import java.util.Locale;

/**
 * The ethtool side of a simulated gateway's {@code eth0}: its rings, channels and receive coalescing as its driver
 * reports them ({@link NicProfile}), the packets it loses for want of RX ring space, and what ethtool 6.1 prints for
 * {@code -i}, {@code -g}, {@code -l}, {@code -c}, {@code -k} and {@code -S}, and does for {@code -G} (rings) and
 * {@code -C rx-usecs}. The layouts follow ethtool's own (the netlink path) and the fixtures the agent's parsers are
 * tested on (agent/src/test/resources/fixtures/ethtool). Changing channels ({@code -L}) is not modelled: the IRQ
 * layout follows the scenario's {@code rxQueues}; ethtool's "Operation not supported" is the answer.
 *
 * <p>Ring drops: a receive burst of {@code burstPackets} per queue between two polls that is larger than the ring
 * loses what does not fit (5 % of the traffic at most, as the transmit queues' model); the driver counts them in its
 * ring-drop counter ({@code rx_missed_errors} on ixgbe, {@code rx_out_of_buffer} on mlx5, ...). A normal poll's
 * batch (some 10 packets a queue at the default load) never fills a ring. Not thread-safe: its gateway's lock.
 */
final class SimulatedNic {

    static final String DEVICE = "eth0";
    /** The smallest RX ring any of the modelled drivers accepts (ixgbe's IXGBE_MIN_RXD, i40e's I40E_MIN_NUM_DESCRIPTORS). */
    static final int MIN_RING = 64;

    private final NicDriver driver;
    private final NicProfile profile;
    private final int queues;
    private int rxRing;
    private int txRing;
    private int rxUsecs;
    private double ringDrops;

    SimulatedNic(NicDriver driver, int queues) {
        this.driver = driver;
        this.profile = NicProfile.of(driver);
        this.queues = queues;
        this.rxRing = profile.rxRingDefault();
        this.txRing = profile.rxRingDefault();
        this.rxUsecs = profile.rxUsecs();
    }

    int rxRing() {
        return rxRing;
    }

    int rxRingMax() {
        return profile.rxRingMax();
    }

    /** What a fault (or an operator without ethtool's checks) sets. */
    void setRxRing(int ring) {
        if (ring < MIN_RING || ring > profile.rxRingMax()) {
            throw new IllegalArgumentException("the RX ring of " + driver.fileName() + " is " + MIN_RING + " to "
                    + profile.rxRingMax() + ", not " + ring);
        }
        this.rxRing = ring;
    }

    long ringDrops() {
        return (long) ringDrops;
    }

    /**
     * Counts one interval's ring drops and returns them per second.
     *
     * @param rxPps        packets per second arriving at the NIC
     * @param burstPackets the largest burst a queue takes between two polls (0: a normal poll's batch)
     */
    double advance(double seconds, double rxPps, double burstPackets) {
        if (burstPackets <= rxRing) {
            return 0;
        }
        double perSec = 0.05 * rxPps * (1 - rxRing / burstPackets);
        ringDrops += perSec * seconds;
        return perSec;
    }

    /**
     * What {@code ethtool <args>} prints (or does) on this gateway.
     *
     * @param rx what eth0 received and sent, for {@code -S}
     */
    ToolAnswer ethtool(List<String> args, long rxPackets, long txPackets) {
        if (args.size() < 2 || !args.get(1).equals(DEVICE)) {
            return ToolAnswer.failed(1, "netlink error: no device matches name (offset 24)\n"
                    + "netlink error: No such device\n");
        }
        return switch (args.get(0)) {
            case "-i" -> ToolAnswer.ok(info());
            case "-g" -> ToolAnswer.ok(rings());
            case "-G" -> setRings(args);
            case "-l" -> ToolAnswer.ok(channels());
            case "-L" -> ToolAnswer.failed(1, "netlink error: Operation not supported\n");
            case "-c" -> profile.adaptiveRx() == null
                    ? ToolAnswer.failed(1, "netlink error: Operation not supported\n") : ToolAnswer.ok(coalesce());
            case "-C" -> setCoalesce(args);
            case "-k" -> ToolAnswer.ok(features());
            case "-S" -> ToolAnswer.ok(stats(rxPackets, txPackets));
            default -> ToolAnswer.failed(1, "ethtool: bad command line argument(s)\n"
                    + "For more information run ethtool -h\n");
        };
    }

    private String info() {
        return "driver: " + driver.driver() + "\n"
                + "version: 6.1.0\n"
                + "firmware-version: " + (driver.bareMetal() ? "0x800009e0" : "") + "\n"
                + "expansion-rom-version: \n"
                + "bus-info: " + driver.pciAddress() + "\n"
                + "supports-statistics: yes\n"
                + "supports-test: " + (driver.bareMetal() ? "yes" : "no") + "\n"
                + "supports-eeprom-access: " + (driver.bareMetal() ? "yes" : "no") + "\n"
                + "supports-register-dump: " + (driver.bareMetal() ? "yes" : "no") + "\n"
                + "supports-priv-flags: " + (driver.bareMetal() ? "yes" : "no") + "\n";
    }

    private String rings() {
        return "Ring parameters for " + DEVICE + ":\n"
                + "Pre-set maximums:\n"
                + "RX:\t\t\t" + profile.rxRingMax() + "\n"
                + "RX Mini:\t\tn/a\n"
                + "RX Jumbo:\t\tn/a\n"
                + "TX:\t\t\t" + profile.rxRingMax() + "\n"
                + "Current hardware settings:\n"
                + "RX:\t\t\t" + rxRing + "\n"
                + "RX Mini:\t\tn/a\n"
                + "RX Jumbo:\t\tn/a\n"
                + "TX:\t\t\t" + txRing + "\n"
                + "RX Buf Len:\t\tn/a\n"
                + "CQE Size:\t\tn/a\n"
                + "TX Push:\t\toff\n"
                + "TCP data split:\t\tn/a\n";
    }

    /** {@code -G eth0 rx N [tx M]}: within the driver's maximum, else EINVAL as the kernel answers. */
    private ToolAnswer setRings(List<String> args) {
        Integer rx = null;
        Integer tx = null;
        for (int i = 2; i + 1 < args.size(); i += 2) {
            Integer v = number(args.get(i + 1));
            if (v == null) {
                return ToolAnswer.failed(1, "ethtool: bad command line argument(s)\n");
            }
            switch (args.get(i)) {
                case "rx" -> rx = v;
                case "tx" -> tx = v;
                default -> {
                    return ToolAnswer.failed(1, "netlink error: Operation not supported\n");
                }
            }
        }
        if ((args.size() - 2) % 2 != 0 || (rx == null && tx == null)) {
            return ToolAnswer.failed(1, "ethtool: bad command line argument(s)\n");
        }
        if ((rx != null && (rx < MIN_RING || rx > profile.rxRingMax()))
                || (tx != null && (tx < MIN_RING || tx > profile.rxRingMax()))) {
            return ToolAnswer.failed(1, "netlink error: Invalid argument\n");
        }
        if (rx != null) {
            rxRing = rx;
        }
        if (tx != null) {
            txRing = tx;
        }
        return ToolAnswer.ok("");
    }

    private String channels() {
        boolean combined = profile.combinedMax() > 0;
        // a host given one queue has a NIC with one (a VM's single-queue NIC): no more channels to turn on
        int max = queues == 1 ? 1 : Math.max(queues, combined ? profile.combinedMax() : profile.separateMax());
        String sep = combined ? "n/a" : Integer.toString(max);
        String sepNow = combined ? "n/a" : Integer.toString(queues);
        return "Channel parameters for " + DEVICE + ":\n"
                + "Pre-set maximums:\n"
                + "RX:\t\t" + sep + "\n"
                + "TX:\t\t" + sep + "\n"
                + "Other:\t\t" + (driver.bareMetal() ? "1" : "n/a") + "\n"
                + "Combined:\t" + (combined ? Integer.toString(max) : "n/a") + "\n"
                + "Current hardware settings:\n"
                + "RX:\t\t" + sepNow + "\n"
                + "TX:\t\t" + sepNow + "\n"
                + "Other:\t\t" + (driver.bareMetal() ? "1" : "n/a") + "\n"
                + "Combined:\t" + (combined ? Integer.toString(queues) : "n/a") + "\n";
    }

    private String coalesce() {
        String adaptive = profile.adaptiveRx() ? "on" : "off";
        return "Coalesce parameters for " + DEVICE + ":\n"
                + "Adaptive RX: " + adaptive + "  TX: " + adaptive + "\n"
                + "stats-block-usecs:\tn/a\n"
                + "sample-interval:\tn/a\n"
                + "pkt-rate-low:\t\tn/a\n"
                + "pkt-rate-high:\t\tn/a\n"
                + "\n"
                + "rx-usecs:\t" + rxUsecs + "\n"
                + "rx-frames:\tn/a\n"
                + "rx-usecs-irq:\tn/a\n"
                + "rx-frames-irq:\tn/a\n"
                + "\n"
                + "tx-usecs:\t" + profile.rxUsecs() + "\n"
                + "tx-frames:\tn/a\n"
                + "tx-usecs-irq:\tn/a\n"
                + "tx-frames-irq:\tn/a\n";
    }

    /** {@code -C eth0 rx-usecs N}: the one coalescing parameter the agent sets. */
    private ToolAnswer setCoalesce(List<String> args) {
        if (profile.adaptiveRx() == null) {
            return ToolAnswer.failed(1, "netlink error: Operation not supported\n");
        }
        if (args.size() != 4 || !args.get(2).equals("rx-usecs") || number(args.get(3)) == null) {
            return ToolAnswer.failed(1, "ethtool: bad command line argument(s)\n");
        }
        rxUsecs = number(args.get(3));
        return ToolAnswer.ok("");
    }

    private static String features() {
        return "Features for " + DEVICE + ":\n"
                + "rx-checksumming: on\n"
                + "tx-checksumming: on\n"
                + "scatter-gather: on\n"
                + "tcp-segmentation-offload: on\n"
                + "generic-segmentation-offload: on\n"
                + "generic-receive-offload: on\n"
                + "large-receive-offload: off\n"
                + "rx-vlan-offload: on\n"
                + "tx-vlan-offload: on\n"
                + "receive-hashing: on\n"
                + "rx-gro-hw: off [fixed]\n"
                + "rx-gro-list: off\n"
                + "rx-udp-gro-forwarding: off\n";
    }

    /** Device-wide counters first, then each queue's packets; received packets less what the ring dropped. */
    private String stats(long rxPackets, long txPackets) {
        StringBuilder out = new StringBuilder("NIC statistics:\n");
        line(out, "rx_packets", rxPackets);
        line(out, "tx_packets", txPackets);
        line(out, profile.rxDropped(), 0);
        line(out, profile.txDropped(), 0);
        if (profile.ringDrops() != null) {
            line(out, profile.ringDrops(), ringDrops());
        }
        for (int q = 0; q < queues; q++) {
            line(out, String.format(Locale.ROOT, profile.txQueueCounter(), q), share(txPackets, q));
            line(out, String.format(Locale.ROOT, profile.rxQueueCounter(), q), share(rxPackets, q));
        }
        return out.toString();
    }

    private long share(long total, int q) {
        return total / queues + (q < total % queues ? 1 : 0);
    }

    private static void line(StringBuilder out, String name, long value) {
        out.append("     ").append(name).append(": ").append(value).append('\n');
    }

    private static Integer number(String s) {
        try {
            int v = Integer.parseInt(s);
            return v < 0 ? null : v;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
