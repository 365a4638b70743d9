package io.tunnelvision.api.http;

import io.tunnelvision.api.db.Retention;
import io.tunnelvision.api.db.Tier;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Picks the tier a series is read from: the coarsest one fine enough for the step that still holds {@code from}. */
final class TierChoice {

    /** More points than this make a chart no better and a response needlessly large. */
    static final long MAX_POINTS = 10_000;

    private TierChoice() {
    }

    static Tier choose(Duration step, Instant from, Instant to, Instant now, Retention retention) {
        return choose(step, from, to, now, retention, MAX_POINTS, "points");
    }

    /** Like {@link #choose(Duration, Instant, Instant, Instant, Retention)} with a smaller cap on the buckets. */
    static Tier choose(Duration step, Instant from, Instant to, Instant now, Retention retention, long maxPoints,
                       String pointsName) {
        long points = Duration.between(from, to).toSeconds() / step.toSeconds();
        if (points > maxPoints) {
            throw ApiProblem.badRequest("step " + step.toSeconds() + "s is too small for a range of "
                    + Duration.between(from, to).toSeconds() + "s: that is " + points + " " + pointsName
                    + ", at most " + maxPoints + " " + pointsName + " are returned; use a step of at least "
                    + ceilDiv(Duration.between(from, to).toSeconds(), maxPoints) + "s");
        }
        for (Tier tier : List.of(Tier.HOUR, Tier.MINUTE, Tier.RAW)) {
            boolean fineEnough = tier.resolution().compareTo(step) <= 0;
            boolean holdsFrom = !from.isBefore(now.minus(retention.of(tier))) || tier == Tier.HOUR;
            if (fineEnough && holdsFrom) {
                return tier;
            }
        }
        Tier finest = !from.isBefore(now.minus(retention.of(Tier.MINUTE))) ? Tier.MINUTE : Tier.HOUR;
        throw ApiProblem.badRequest("step " + step.toSeconds() + "s is too small for data from " + from
                + ": the finest data kept that far back has " + finest.label() + " resolution (the "
                + finest.source().label() + " tier is kept " + retention.of(finest.source()).toHours()
                + " hours); use a step of at least " + finest.resolution().toSeconds() + "s");
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
