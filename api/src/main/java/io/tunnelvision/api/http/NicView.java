package io.tunnelvision.api.http;

import io.tunnelvision.api.db.NicDao;
import io.tunnelvision.rules.rates.Counters;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A host's NICs as the gateway page shows them: the latest sample's settings (ring and channels against their maxima,
 * coalescing, offloads) and the drop rates over the interval from the sample before, device-wide and per queue. A
 * counter's rate is the rules' {@link Counters#delta64} over the interval (64-bit ethtool counters that go down were
 * reset: unknown, null, never 0). Pure: the rows come from {@link NicDao#latest}.
 */
final class NicView {

    private NicView() {
    }

    record Queue(int queue, Double rxDropsPerSecond, Double txDropsPerSecond) {
    }

    record NicState(String name, String driver, Integer rxRing, Integer rxRingMax, Integer txRing, Integer txRingMax,
                    Integer combinedChannels, Integer combinedChannelsMax, Integer rxChannels, Integer rxChannelsMax,
                    Integer rxUsecs, Integer rxFrames, Integer txUsecs, Boolean adaptiveRx, List<String> offloadsOn,
                    List<String> offloadsOff, Double rxMissedPerSecond, Double rxNoBufferPerSecond,
                    Double rxDroppedPerSecond, Double txDroppedPerSecond, List<Queue> queues) {
    }

    record Latest(String host, Instant sampledAt, Double intervalSeconds, List<NicState> nics) {
    }

    static Latest of(String host, NicDao.LatestSamples samples) {
        if (samples.latest().isEmpty()) {
            return new Latest(host, null, null, List.of());
        }
        Instant at = samples.latest().get(0).sampledAt();
        Map<String, NicDao.NicRow> before = new HashMap<>();
        samples.previous().forEach(r -> before.put(r.iface(), r));
        Double seconds = samples.previous().isEmpty() ? null
                : Duration.between(samples.previous().get(0).sampledAt(), at).toMillis() / 1000.0;
        List<NicState> nics = new ArrayList<>();
        for (NicDao.NicRow n : samples.latest()) {
            NicDao.NicRow p = before.get(n.iface());
            Double s = p == null ? null : seconds;
            List<Queue> queues = new ArrayList<>();
            int count = Math.max(n.queueRxDrops().length, n.queueTxDrops().length);
            for (int q = 0; q < count; q++) {
                queues.add(new Queue(q, rate(at(p == null ? null : p.queueRxDrops(), q), at(n.queueRxDrops(), q), s),
                        rate(at(p == null ? null : p.queueTxDrops(), q), at(n.queueTxDrops(), q), s)));
            }
            nics.add(new NicState(n.iface(), n.driver(), n.rxRing(), n.rxRingMax(), n.txRing(), n.txRingMax(),
                    n.combinedChannels(), n.combinedChannelsMax(), n.rxChannels(), n.rxChannelsMax(), n.rxUsecs(),
                    n.rxFrames(), n.txUsecs(), n.adaptiveRx(), n.offloadsOn(), n.offloadsOff(),
                    rate(p == null ? null : p.rxMissed(), n.rxMissed(), s),
                    rate(p == null ? null : p.rxNoBuffer(), n.rxNoBuffer(), s),
                    rate(p == null ? null : p.rxDropped(), n.rxDropped(), s),
                    rate(p == null ? null : p.txDropped(), n.txDropped(), s), queues));
        }
        return new Latest(host, at, seconds, nics);
    }

    private static Long at(Long[] values, int index) {
        return values == null || index >= values.length ? null : values[index];
    }

    /** Per second over the interval; null when either value or the interval is missing, or the counter was reset. */
    static Double rate(Long before, Long now, Double seconds) {
        if (before == null || now == null || seconds == null || seconds <= 0
                || seconds > NicDao.MAX_INTERVAL.toSeconds()) {
            return null;
        }
        OptionalLong delta = Counters.delta64(before, now);
        return delta.isPresent() ? delta.getAsLong() / seconds : null;
    }
}
