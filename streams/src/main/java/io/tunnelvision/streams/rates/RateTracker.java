package io.tunnelvision.streams.rates;

import io.tunnelvision.rules.rates.RateCalculator;
import io.tunnelvision.rules.rates.SampleOrder;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.streams.state.DecodedStore;
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

    public RateTracker(DecodedStore<S> previous, Function<S, SampleHeader> header,
                       RateCalculator<S, R> calculator) {
        this.previous = previous;
        this.header = header;
        this.calculator = calculator;
    }

    /** What happened to one sample: its order verdict, and the rates when one was taken. */
    public record Step<R>(SampleOrder order, Optional<R> rates) {
    }

    public Step<R> accept(String host, S sample) {
        S before = previous.get(host);
        SampleOrder order = SampleOrder.of(before == null ? null : header.apply(before), header.apply(sample));
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
