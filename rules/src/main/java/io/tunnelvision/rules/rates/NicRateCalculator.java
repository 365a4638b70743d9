package io.tunnelvision.rules.rates;

import io.tunnelvision.schemas.avro.Nic;
import io.tunnelvision.schemas.avro.NicSample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Per-NIC drop rates between two samples. A NIC is the same one in both when its interface and driver are: a NIC
 * reloaded under another driver is new, its rates unknown (null) for the interval. ethtool reports the counters as
 * 64-bit values; a counter that went down (the driver was reloaded, the device reset) is unknown, never 0.
 */
public final class NicRateCalculator implements RateCalculator<NicSample, NicRates> {

    static final String RX_MISSED = "rx_missed";
    static final String RX_NO_BUFFER = "rx_no_buffer";

    @Override
    public NicRates between(NicSample previous, NicSample current) {
        double seconds = RateHeaders.seconds(previous.getHeader(), current.getHeader());
        Map<String, Nic> before = new HashMap<>();
        for (Nic n : previous.getNics()) {
            before.put(key(n), n);
        }
        List<NicRates.NicRate> rates = new ArrayList<>(current.getNics().size());
        for (Nic now : current.getNics()) {
            Nic then = before.get(key(now));
            if (then == null || seconds <= 0) {
                rates.add(new NicRates.NicRate(now, null, null));
                continue;
            }
            rates.add(new NicRates.NicRate(now, perSec(then, now, RX_MISSED, seconds),
                    perSec(then, now, RX_NO_BUFFER, seconds)));
        }
        return new NicRates(RateHeaders.between(previous.getHeader(), current.getHeader()), rates);
    }

    private static Double perSec(Nic then, Nic now, String counter, double seconds) {
        Long a = then.getCounters().get(counter);
        Long b = now.getCounters().get(counter);
        if (a == null || b == null) {
            return null;
        }
        OptionalLong delta = Counters.delta64(a, b);
        return delta.isPresent() ? delta.getAsLong() / seconds : null;
    }

    private static String key(Nic n) {
        return n.getInterface$() + "\n" + n.getDriver();
    }
}
