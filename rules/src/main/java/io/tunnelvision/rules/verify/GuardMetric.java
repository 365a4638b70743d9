package io.tunnelvision.rules.verify;

import io.tunnelvision.rules.rates.NicRates;
import io.tunnelvision.schemas.avro.KernelRates;
import io.tunnelvision.schemas.avro.LinkRate;
import io.tunnelvision.schemas.avro.LinkRates;
import io.tunnelvision.schemas.avro.SoftnetCpuRate;
import io.tunnelvision.schemas.avro.SoftnetRates;
import io.tunnelvision.schemas.avro.HotspotType;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a change can hurt besides its own metric: the host's drops, squeezes, backlog and UDP buffer errors. A
 * change is judged on all of them (and on the tunnels' latency and loss, see {@link LatencyPoints}), so that a
 * budget raise that ends the squeezes but fills the backlog is rolled back rather than answered with a second
 * change.
 *
 * <p>A guard got worse when its mean over the verification window exceeds its mean before by more than half of
 * that, and by more than {@link #floor()}: below the floor a healthy gateway's noise (a few drops a second come
 * and go with bursts) would decide.
 */
public enum GuardMetric {
    /** Softirq rounds cut short, every CPU (/proc/net/softnet_stat column 3). */
    SQUEEZE(10, HotspotType.SOFTNET_SQUEEZE),
    /** Packets dropped because a CPU's backlog was full (column 2). */
    BACKLOG_DROPS(10, HotspotType.BACKLOG_DROPS),
    /** Packets waiting in the CPUs' backlogs, a level. */
    BACKLOG_LENGTH(100, HotspotType.BACKLOG_DROPS),
    /** Receive and transmit drops of every interface but loopback. */
    LINK_DROPS(10, HotspotType.TX_DROPS, HotspotType.RX_OVERRUNS),
    /** UDP datagrams dropped for want of socket buffer (receive and send). */
    UDP_BUFFER_ERRORS(10, HotspotType.UDP_BUFFER_ERRORS, HotspotType.UDP_SEND_BUFFER_ERRORS),
    /**
     * Received packets the NICs dropped for want of ring space (ethtool -S rx_missed and rx_no_buffer, every NIC):
     * what fewer channels, or coalescing that interrupts more often than the CPU keeps up with, makes worse.
     */
    NIC_RX_DROPS(10, HotspotType.NIC_RX_DROPS);

    /** How much worse than before, at the least, counts: the metric's noise on a healthy gateway. */
    static final double WORSE_FACTOR = 0.5;

    private final double floor;
    private final Set<String> faults;

    GuardMetric(double floor, HotspotType... faults) {
        this.floor = floor;
        this.faults = Arrays.stream(faults).map(Enum::name).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Whether a track of {@code type} is a fault this metric measures: while one is in a bad streak, the metric's
     * "before" counts only the intervals of that streak, so a fault already under way on the host is not blamed
     * on a change that came after it began.
     */
    boolean measures(String type) {
        return faults.contains(type);
    }

    public double floor() {
        return floor;
    }

    /** Whether {@code after} is worse than {@code before} by more than noise. */
    public boolean worse(double before, double after) {
        return after - before > Math.max(floor, WORSE_FACTOR * Math.max(before, 0));
    }

    public static Map<GuardMetric, Double> of(SoftnetRates rates) {
        double squeeze = 0;
        double dropped = 0;
        double backlog = 0;
        boolean hasBacklog = false;
        for (SoftnetCpuRate cpu : rates.getCpus()) {
            squeeze += cpu.getTimeSqueezePerSec();
            dropped += cpu.getDroppedPerSec();
            if (cpu.getBacklogLen() != null) {
                backlog += cpu.getBacklogLen();
                hasBacklog = true;
            }
        }
        Map<GuardMetric, Double> values = new EnumMap<>(GuardMetric.class);
        values.put(SQUEEZE, squeeze);
        values.put(BACKLOG_DROPS, dropped);
        if (hasBacklog) {
            values.put(BACKLOG_LENGTH, backlog);
        }
        return values;
    }

    public static Map<GuardMetric, Double> of(LinkRates rates) {
        double drops = 0;
        for (LinkRate link : rates.getInterfaces()) {
            if (!"lo".equals(link.getName())) {
                drops += link.getRxDroppedPerSec() + link.getTxDroppedPerSec();
            }
        }
        return Map.of(LINK_DROPS, drops);
    }

    /** Empty when no NIC's ring drops are known over the interval (no counters, or each one went down). */
    public static Map<GuardMetric, Double> of(NicRates rates) {
        double drops = 0;
        boolean known = false;
        for (NicRates.NicRate nic : rates.nics()) {
            Double perSec = nic.rxRingDropsPerSec();
            if (perSec != null) {
                drops += perSec;
                known = true;
            }
        }
        return known ? Map.of(NIC_RX_DROPS, drops) : Map.of();
    }

    public static Map<GuardMetric, Double> of(KernelRates rates) {
        if (rates.getUdpRcvbufErrorsPerSec() == null && rates.getUdpSndbufErrorsPerSec() == null) {
            return Map.of();
        }
        double errors = (rates.getUdpRcvbufErrorsPerSec() == null ? 0 : rates.getUdpRcvbufErrorsPerSec())
                + (rates.getUdpSndbufErrorsPerSec() == null ? 0 : rates.getUdpSndbufErrorsPerSec());
        return Map.of(UDP_BUFFER_ERRORS, errors);
    }
}
