package io.tunnelvision.rules.rates;

import io.tunnelvision.schemas.avro.Qdisc;
import io.tunnelvision.schemas.avro.QdiscSample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Per-qdisc rates between two samples. A qdisc is the same one in both when interface, handle, parent and kind are
 * the same: a root replaced by another kind (or deleted and recreated with new counters) is new, so its rates are
 * unknown (null) for the interval, never 0. The kernel keeps drops, overlimits and requeues as 32-bit counters
 * ({@code struct gnet_stats_queue}) and bytes as a 64-bit one ({@code gnet_stats_basic}).
 */
public final class QdiscRateCalculator implements RateCalculator<QdiscSample, QdiscRates> {

    @Override
    public QdiscRates between(QdiscSample previous, QdiscSample current) {
        double seconds = RateHeaders.seconds(previous.getHeader(), current.getHeader());
        Map<String, Qdisc> before = new HashMap<>();
        for (Qdisc q : previous.getQdiscs()) {
            before.put(key(q), q);
        }
        List<QdiscRates.QdiscRate> rates = new ArrayList<>(current.getQdiscs().size());
        for (Qdisc now : current.getQdiscs()) {
            Qdisc then = before.get(key(now));
            if (then == null || seconds <= 0) {
                rates.add(new QdiscRates.QdiscRate(now, null, null, null, null, null));
                continue;
            }
            OptionalLong drops = Counters.delta32(then.getDrops(), now.getDrops());
            OptionalLong bytes = Counters.delta64(then.getBytes(), now.getBytes());
            OptionalLong overlimits = Counters.delta32(then.getOverlimits(), now.getOverlimits());
            rates.add(new QdiscRates.QdiscRate(now, then.getBacklogPackets(), then.getBacklogBytes(),
                    perSec(drops, seconds), perSec(bytes, seconds), perSec(overlimits, seconds)));
        }
        return new QdiscRates(RateHeaders.between(previous.getHeader(), current.getHeader()), rates);
    }

    private static Double perSec(OptionalLong delta, double seconds) {
        return delta.isPresent() ? delta.getAsLong() / seconds : null;
    }

    private static String key(Qdisc q) {
        return q.getInterface$() + "\n" + q.getHandle() + "\n" + q.getParent() + "\n" + q.getKind();
    }
}
