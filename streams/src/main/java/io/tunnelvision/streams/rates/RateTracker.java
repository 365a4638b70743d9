package io.tunnelvision.streams.rates;

import io.tunnelvision.rules.rates.RateCalculator;
import io.tunnelvision.rules.rates.SampleOrder;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.streams.state.DecodedStore;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * Keeps the last accepted sample of each host in a store (decoded in memory, written through) and turns each
 * new one into the rates since it, according to {@link SampleOrder}.
 */
public final class RateTracker<S, R> {

    private final DecodedStore<S> previous;
    private final Function<S, SampleHeader> header;
    private final RateCalculator<S, R> calculator;
    private final long minIntervalMs;

    public RateTracker(DecodedStore<S> previous, Function<S, SampleHeader> header,
                       RateCalculator<S, R> calculator) {
        this(previous, header, calculator, Duration.ZERO);
    }

    /**
     * @param minInterval the shortest interval a rate is taken over: a next sample of the same boot that comes
     *                    sooner is skipped and the baseline stays, so the next rate spans at least this long
     */
    public RateTracker(DecodedStore<S> previous, Function<S, SampleHeader> header,
                       RateCalculator<S, R> calculator, Duration minInterval) {
        this.previous = previous;
        this.header = header;
        this.calculator = calculator;
        this.minIntervalMs = minInterval.toMillis();
    }

    /**
     * What happened to one sample: its order verdict, and the rates when one was taken. A next sample skipped
     * because it came sooner than the minimum interval is NEXT with no rates, and was not kept.
     */
    public record Step<R>(SampleOrder order, Optional<R> rates) {
    }

    public Step<R> accept(String host, S sample) {
        S before = previous.get(host);
        SampleHeader baseline = before == null ? null : header.apply(before);
        SampleOrder order = SampleOrder.of(baseline, header.apply(sample));
        if (order == SampleOrder.NEXT
                && header.apply(sample).getSampleTimeMs() - baseline.getSampleTimeMs() < minIntervalMs) {
            return new Step<>(order, Optional.empty());
        }
        Optional<R> rates = order.rate() ? Optional.of(calculator.between(before, sample)) : Optional.empty();
        if (order.keep()) {
            previous.put(host, sample);
        }
        return new Step<>(order, rates);
    }

    /** The last accepted sample of a host, if any. */
    public Optional<S> latest(String host) {
        return Optional.ofNullable(previous.get(host));
    }
}
