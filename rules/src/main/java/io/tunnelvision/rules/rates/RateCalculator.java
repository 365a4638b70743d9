package io.tunnelvision.rules.rates;

/** Turns two samples of one host and boot, in order, into the rates of the interval between them. */
public interface RateCalculator<S, R> {

    R between(S previous, S current);
}
