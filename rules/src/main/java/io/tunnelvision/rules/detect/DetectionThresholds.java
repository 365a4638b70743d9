package io.tunnelvision.rules.detect;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Every threshold and window the host and fleet detectors use. Rates are per second over one sampling
 * interval; shares are fractions. Defaults are {@link #defaults()}; {@link #withOverrides} takes
 * {@code name=value,...} with the component names, e.g. {@code squeezePerSec=20,openAfter=2}.
 *
 * @param openAfter           consecutive bad intervals before a hotspot opens
 * @param closeAfter          consecutive good intervals before it closes
 * @param updateEvery         how often an open hotspot is re-published with fresh evidence
 * @param recentIntervals     how many intervals of a metric are kept as the "before" of a change
 * @param irqMinPerSec        an interface's interrupts below this are too few to matter
 * @param irqTopShare         share of an interface's interrupts on one CPU that counts as concentrated
 * @param netRxMinPerSec      NET_RX softirqs below this are too few to matter
 * @param netRxTopShare       share of NET_RX on one CPU that counts as concentrated
 * @param busySoftirqShare    softirq share of a CPU's time above which that CPU counts as busy with it
 * @param squeezePerSec       time_squeeze per second (all CPUs) that counts as a squeeze; a handful an hour never does
 * @param backlogDropsPerSec  softnet backlog drops per second (all CPUs)
 * @param txDropsPerSec       tx drops per second on a tunnel interface
 * @param cpuSaturatedShare   a CPU whose softirq share is at least this is saturated: tx drops are then not a queue issue
 * @param rxOverrunsPerSec    rx overruns plus fifo errors per second on an interface
 * @param udpRcvbufErrorsPerSec UDP receive-buffer errors per second
 * @param fragmentsPerSec     IP fragments created plus reassemblies required per second that confirm an MTU mismatch
 * @param largeProbeBytes     probes at least this big are "large" for the MTU check
 * @param largeProbeLoss      loss ratio of large probes that confirms an MTU mismatch
 * @param fleetShare          share of active gateways with the same hotspot type that makes a fleet hotspot
 * @param fleetMinHosts       fewest gateways for a fleet hotspot
 * @param fleetWindow         how long a closed host hotspot still counts, and how long a silent host stays active
 * @param outlierMinHosts     fewest gateways reporting a metric before outliers are judged
 * @param outlierZ            robust z-score (0.6745 (x - median) / MAD) above which a gateway is an outlier
 * @param outlierEvery        how often at most a gateway's headline rates go to the fleet stage (their mean since
 *                            the last report): the outlier check's interval, whose streaks count these reports
 * @param tunnelHandshakeMaxAge a WireGuard peer whose latest handshake is older than this is down when traffic to it
 *                            is expected: WireGuard's REJECT_AFTER_TIME (180 s, the protocol's fixed timer, also in
 *                            wireguard-go), after which a session's keys are no longer accepted, so no data passes
 * @param tunnelTrafficWindow the shortest interval over which a WireGuard peer's tx counter staying flat means it is
 *                            idle: longer than WireGuard's handshake retry (REKEY_TIMEOUT 5 s plus up to 333 ms of
 *                            jitter), so a peer still trying to handshake shows its tx (the initiations) rising in
 *                            every such interval. The fleet keeps a host's WireGuard baseline at least this long.
 * @param qdiscDropsPerSec    packets per second dropped by the root qdisc of a tunnel or its underlay: as for
 *                            {@code rxOverrunsPerSec}, one a second is no burst any more but a queue that overflows
 * @param qdiscStandingDelay  the queueing delay (backlog over send rate) of a standing queue in such a root qdisc:
 *                            4 times CoDel's 5 ms target (RFC 8289), the delay fq_codel holds a standing queue at,
 *                            so a queue under fq_codel is not flagged for doing what it is meant to
 * @param pmtuMarginBytes     bytes below the largest don't-fragment probe that passed a black-holed path that the
 *                            remedy sets the tunnel's MTU to (a probe passing once is no promise for every packet of
 *                            that size: 8 bytes leave room for an IP option or a VLAN-tagged hop)
 * @param nicRxDropsPerSec    packets per second a NIC drops before or at its receive ring (ethtool -S rx_missed and
 *                            rx_no_buffer, mlx5's out-of-buffer): as {@code rxOverrunsPerSec}, one a second over the
 *                            NIC counters' 30 s interval is 30 drops, no single burst
 * @param nicRxUsecsMax       rx-usecs above which a NIC that coalesces with adaptive-rx off holds packets against
 *                            latency: 100 µs is the 10,000 interrupts/s end of the per-queue interrupt-rate band
 *                            (a queue that waits longer than that cannot interrupt more often), and below the
 *                            125 µs of the static 8,000 interrupts/s e1000 used as its "good fallback for all
 *                            traffic types" before adaptive moderation (e1000 dynamic ITR, netdev 2006); every
 *                            adaptive driver's own starting value is lower (i40e/ice 50 µs, mlx5 8 µs, ena 0)
 * @param nicIrqMinPerQueue   the low end of the per-queue interrupt rate band (1,000/s): below it, with traffic, the
 *                            queue batches more than a millisecond of packets per interrupt
 * @param nicIrqMaxPerQueue   the high end (10,000/s): above it the interrupts themselves cost the CPU that serves
 *                            them, which counts only when that CPU is busy with softirqs ({@code busySoftirqShare})
 */
public record DetectionThresholds(
        int openAfter, int closeAfter, Duration updateEvery, int recentIntervals,
        double irqMinPerSec, double irqTopShare, double netRxMinPerSec, double netRxTopShare,
        double busySoftirqShare, double squeezePerSec, double backlogDropsPerSec, double txDropsPerSec,
        double cpuSaturatedShare, double rxOverrunsPerSec, double udpRcvbufErrorsPerSec, double fragmentsPerSec,
        int largeProbeBytes, double largeProbeLoss,
        double fleetShare, int fleetMinHosts, Duration fleetWindow, int outlierMinHosts, double outlierZ,
        Duration outlierEvery, Duration tunnelHandshakeMaxAge, Duration tunnelTrafficWindow,
        double qdiscDropsPerSec, Duration qdiscStandingDelay, int pmtuMarginBytes,
        double nicRxDropsPerSec, int nicRxUsecsMax, double nicIrqMinPerQueue, double nicIrqMaxPerQueue) {

    /** WireGuard's REJECT_AFTER_TIME: a session's keys are rejected this long after its handshake. */
    public static final Duration WIREGUARD_REJECT_AFTER_TIME = Duration.ofSeconds(180);

    public DetectionThresholds {
        if (openAfter < 1 || closeAfter < 1 || recentIntervals < 1 || fleetMinHosts < 1 || outlierMinHosts < 3) {
            throw new IllegalArgumentException("openAfter, closeAfter, recentIntervals and fleetMinHosts must be at"
                    + " least 1, outlierMinHosts at least 3");
        }
        if (fleetShare <= 0 || fleetShare > 1 || irqTopShare <= 0 || irqTopShare > 1 || netRxTopShare <= 0
                || netRxTopShare > 1) {
            throw new IllegalArgumentException("shares must be in (0, 1]");
        }
        if (outlierEvery.toMillis() < 1) {
            throw new IllegalArgumentException("outlierEvery must be at least 1ms");
        }
        if (tunnelHandshakeMaxAge.toMillis() < 1 || tunnelTrafficWindow.toMillis() < 1) {
            throw new IllegalArgumentException("tunnelHandshakeMaxAge and tunnelTrafficWindow must be at least 1ms");
        }
        if (qdiscStandingDelay.toMillis() < 1) {
            throw new IllegalArgumentException("qdiscStandingDelay must be at least 1ms");
        }
        if (pmtuMarginBytes < 0 || pmtuMarginBytes > 512) {
            throw new IllegalArgumentException("pmtuMarginBytes must be between 0 and 512, not " + pmtuMarginBytes);
        }
        if (nicRxUsecsMax < 1 || nicIrqMinPerQueue >= nicIrqMaxPerQueue) {
            throw new IllegalArgumentException("nicRxUsecsMax must be at least 1 and nicIrqMinPerQueue below "
                    + "nicIrqMaxPerQueue");
        }
    }

    public static DetectionThresholds defaults() {
        return new DetectionThresholds(3, 5, Duration.ofMinutes(1), 5,
                1000, 0.8, 1000, 0.8,
                0.3, 10, 5, 5,
                0.5, 1, 1, 1,
                1200, 0.5,
                0.3, 3, Duration.ofMinutes(10), 5, 3.5,
                Duration.ofSeconds(5), WIREGUARD_REJECT_AFTER_TIME, Duration.ofSeconds(10),
                1, Duration.ofMillis(20), 8,
                1, 100, 1_000, 10_000);
    }

    /** A copy with the named components replaced; unknown names and bad values fail with what is accepted. */
    public DetectionThresholds withOverrides(String spec) {
        Map<String, String> overrides = new HashMap<>();
        if (spec != null && !spec.isBlank()) {
            for (String pair : spec.split(",")) {
                String[] kv = pair.split("=", 2);
                if (kv.length != 2) {
                    throw new IllegalArgumentException("'" + pair.trim() + "' is not name=value");
                }
                overrides.put(kv[0].trim(), kv[1].trim());
            }
        }
        RecordComponent[] components = DetectionThresholds.class.getRecordComponents();
        Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent component = components[i];
            String raw = overrides.remove(component.getName());
            try {
                values[i] = raw == null ? component.getAccessor().invoke(this) : parse(component.getType(), raw);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException(e);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(component.getName() + "=" + raw + " is not a "
                        + component.getType().getSimpleName(), e);
            }
        }
        if (!overrides.isEmpty()) {
            throw new IllegalArgumentException("unknown threshold(s) " + overrides.keySet() + "; known: "
                    + Arrays.stream(components).map(RecordComponent::getName).collect(Collectors.joining(",")));
        }
        try {
            Constructor<DetectionThresholds> constructor = DetectionThresholds.class.getDeclaredConstructor(
                    Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
            return constructor.newInstance(values);
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException(e.getCause().getMessage(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object parse(Class<?> type, String raw) {
        if (type == int.class) {
            return Integer.parseInt(raw);
        }
        if (type == double.class) {
            double value = Double.parseDouble(raw);
            if (!Double.isFinite(value) || value < 0) {
                throw new NumberFormatException("not a finite non-negative number");
            }
            return value;
        }
        if (type == Duration.class) {
            String s = raw.toLowerCase(Locale.ROOT);
            return s.startsWith("p") ? Duration.parse(raw.toUpperCase(Locale.ROOT)) : parseShort(s);
        }
        throw new IllegalStateException("no parser for " + type);
    }

    private static Duration parseShort(String s) {
        if (s.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        }
        long amount = Long.parseLong(s.substring(0, s.length() - 1));
        return switch (s.charAt(s.length() - 1)) {
            case 's' -> Duration.ofSeconds(amount);
            case 'm' -> Duration.ofMinutes(amount);
            case 'h' -> Duration.ofHours(amount);
            default -> throw new NumberFormatException("unit must be ms, s, m or h");
        };
    }
}
