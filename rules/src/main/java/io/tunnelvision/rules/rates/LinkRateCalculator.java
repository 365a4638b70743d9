package io.tunnelvision.rules.rates;

import io.tunnelvision.schemas.avro.LinkCounters;
import io.tunnelvision.schemas.avro.LinkRate;
import io.tunnelvision.schemas.avro.LinkRates;
import io.tunnelvision.schemas.avro.LinkSample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-interface link rates. The counters are 64-bit: any counter going down means the interface was recreated
 * or its driver reloaded, so that interface gets no rate for the interval rather than a made-up one.
 */
public final class LinkRateCalculator implements RateCalculator<LinkSample, LinkRates> {

    @Override
    public LinkRates between(LinkSample previous, LinkSample current) {
        double seconds = RateHeaders.seconds(previous.getHeader(), current.getHeader());
        Map<String, LinkCounters> before = new HashMap<>();
        for (LinkCounters counters : previous.getInterfaces()) {
            before.put(counters.getName(), counters);
        }
        List<LinkRate> rates = new ArrayList<>();
        for (LinkCounters now : current.getInterfaces()) {
            LinkCounters then = before.get(now.getName());
            if (then != null && !anyDecreased(then, now)) {
                rates.add(rate(then, now, seconds));
            }
        }
        return LinkRates.newBuilder()
                .setHeader(RateHeaders.between(previous.getHeader(), current.getHeader()))
                .setInterfaces(rates)
                .build();
    }

    private static long[] values(LinkCounters c) {
        return new long[] {c.getRxBytes(), c.getRxPackets(), c.getRxErrors(), c.getRxDropped(), c.getRxFifoErrors(),
            c.getRxOverErrors(), c.getRxFrameErrors(), c.getTxBytes(), c.getTxPackets(), c.getTxErrors(),
            c.getTxDropped(), c.getTxFifoErrors(), c.getTxCarrierErrors()};
    }

    private static boolean anyDecreased(LinkCounters then, LinkCounters now) {
        long[] a = values(then);
        long[] b = values(now);
        for (int i = 0; i < a.length; i++) {
            if (Counters.delta64(a[i], b[i]).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private static LinkRate rate(LinkCounters then, LinkCounters now, double seconds) {
        long[] a = values(then);
        long[] b = values(now);
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = (b[i] - a[i]) / seconds;
        }
        return new LinkRate(now.getName(), r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11],
                r[12]);
    }
}
