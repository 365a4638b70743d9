package io.tunnelvision.streams.fleet;

import io.tunnelvision.rules.plan.ManualChange;
import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.avro.Decision;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.sign.DecisionSignatureVerifier;
import io.tunnelvision.schemas.sign.KeyRing;
import io.tunnelvision.schemas.sign.SignatureVerdict;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether an operator's decision may act on a proposal; the one place the gate decides to trust a decision. Anyone
 * who can write to the decisions topic can write a record there, so a decision counts only if, in this order:
 * <ol>
 *   <li>it is signed by one of the configured api keys, and the signature covers every field;</li>
 *   <li>its command was not decided before (a replay, or a second decision on the same proposal);</li>
 *   <li>it names a proposal the gate holds, for the host the decision names;</li>
 *   <li>it was made after the proposal was (within {@link #CLOCK_SKEW});</li>
 *   <li>it is recent by the gate's own wall clock: at most {@code maxAge} old and at most {@link #CLOCK_SKEW} ahead.
 *       The record's timestamp is never used, since the producer chooses it.</li>
 * </ol>
 * A refused decision changes nothing: the proposal keeps waiting for a valid one.
 */
public final class DecisionCheck {

    /** How far the api's clock may be ahead of the gate's, or a proposal's time ahead of the decision's. */
    public static final Duration CLOCK_SKEW = Duration.ofSeconds(30);

    /** Why a decision was refused; the metric's label is the lower-case name. */
    public enum Reason {
        UNSIGNED, REVOKED, UNKNOWN_KEY, MALFORMED, BAD_SIGNATURE, ALREADY_DECIDED, NO_PROPOSAL, OTHER_HOST,
        BEFORE_PROPOSAL, TOO_OLD, FROM_THE_FUTURE,
        /** A command by hand ({@link ManualChange}): not an action, target or value the catalog allows, or no current value. */
        UNKNOWN_ACTION, BAD_TARGET, OUT_OF_BOUNDS, NO_CURRENT_VALUE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Reason of(SignatureVerdict verdict) {
            return valueOf(verdict.name());
        }

        public static Reason of(ManualChange.Refusal refusal) {
            return valueOf(refusal.name());
        }
    }

    /** A refusal and what exactly was wrong, for the log and the dead-letter record. */
    public record Refusal(Reason reason, String detail) {
    }

    private final DecisionSignatureVerifier verifier;
    private final Duration maxAge;

    public DecisionCheck(DecisionSignatureVerifier verifier, Duration maxAge) {
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("maxAge must be positive, not " + maxAge);
        }
    }

    /** Trusts no key: every decision is refused (a gate that never proposes, or one not given the api's key). */
    public static DecisionCheck refusingAll() {
        return new DecisionCheck(new DecisionSignatureVerifier(KeyRing.empty()), Duration.ofMinutes(1));
    }

    public Duration maxAge() {
        return maxAge;
    }

    /**
     * @param proposal    the pending proposal of the decision's command id, or null
     * @param decidedAtMs when the command id was decided before (the decision's own time), or null
     * @param wallMs      the gate's wall clock
     */
    public Optional<Refusal> check(CommandDecision decision, TuningCommand proposal, Long decidedAtMs, long wallMs) {
        SignatureVerdict verdict = verifier.verify(decision);
        if (verdict != SignatureVerdict.VALID) {
            return refuse(Reason.of(verdict), "signature " + verdict + " (key id '" + decision.getKeyId()
                    + "'; the gate trusts api keys " + verifier.trustedKeyIds().stream().sorted().toList() + ")");
        }
        String command = decision.getCommandId();
        if (decidedAtMs != null) {
            return refuse(Reason.ALREADY_DECIDED, command + " was already decided by a decision of "
                    + Instant.ofEpochMilli(decidedAtMs) + ": a replay, or a second decision on it");
        }
        if (proposal == null) {
            return refuse(Reason.NO_PROPOSAL, "no proposal " + command + " is waiting for a decision");
        }
        if (!proposal.getHostId().equals(decision.getHostId())) {
            return refuse(Reason.OTHER_HOST, "the decision names host " + decision.getHostId() + ", proposal "
                    + command + " is for " + proposal.getHostId());
        }
        long skew = CLOCK_SKEW.toMillis();
        long timeMs = decision.getTimeMs();
        if (timeMs + skew < proposal.getIssuedAtMs()) {
            return refuse(Reason.BEFORE_PROPOSAL, "made at " + Instant.ofEpochMilli(timeMs) + ", before proposal "
                    + command + " was issued at " + Instant.ofEpochMilli(proposal.getIssuedAtMs()));
        }
        return recent(timeMs, wallMs);
    }

    /**
     * A command by hand ({@link CommandDecision#getManual()}), before the host stage checks the change itself: it
     * counts only if it is signed by a configured api key, is an APPROVE, names the host whose partition it came on
     * (the record's key, which the signature does not cover), was not seen before, and is recent by the gate's clock.
     *
     * @param recordHost the record's key
     * @param seen       whether this command id was seen before on this host
     */
    public Optional<Refusal> checkManual(CommandDecision decision, String recordHost, boolean seen, long wallMs) {
        SignatureVerdict verdict = verifier.verify(decision);
        if (verdict != SignatureVerdict.VALID) {
            return refuse(Reason.of(verdict), "signature " + verdict + " (key id '" + decision.getKeyId()
                    + "'; the gate trusts api keys " + verifier.trustedKeyIds().stream().sorted().toList() + ")");
        }
        if (decision.getDecision() != Decision.APPROVE) {
            return refuse(Reason.MALFORMED, "a command by hand must be an APPROVE, not " + decision.getDecision());
        }
        if (!decision.getHostId().equals(recordHost)) {
            return refuse(Reason.OTHER_HOST, "the request names host " + decision.getHostId()
                    + " but was keyed " + recordHost);
        }
        if (seen) {
            return refuse(Reason.ALREADY_DECIDED, decision.getCommandId() + " was already requested: a replay");
        }
        return recent(decision.getTimeMs(), wallMs);
    }

    private Optional<Refusal> recent(long timeMs, long wallMs) {
        long skew = CLOCK_SKEW.toMillis();
        if (timeMs > wallMs + skew) {
            return refuse(Reason.FROM_THE_FUTURE, "made at " + Instant.ofEpochMilli(timeMs) + ", ahead of the gate's"
                    + " clock (" + Instant.ofEpochMilli(wallMs) + ") by more than " + CLOCK_SKEW.toSeconds() + "s");
        }
        if (wallMs - timeMs > maxAge.toMillis()) {
            return refuse(Reason.TOO_OLD, "made at " + Instant.ofEpochMilli(timeMs) + ", "
                    + Duration.ofMillis(wallMs - timeMs).toSeconds() + "s before it reached the gate (at most "
                    + maxAge.toSeconds() + "s): decide again");
        }
        return Optional.empty();
    }

    private static Optional<Refusal> refuse(Reason reason, String detail) {
        return Optional.of(new Refusal(reason, detail));
    }
}
