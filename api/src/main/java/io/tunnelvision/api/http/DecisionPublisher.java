package io.tunnelvision.api.http;

import io.tunnelvision.schemas.avro.CommandDecision;

/** Sends an operator's decision to the planner. Returns once the broker has it, or throws. */
public interface DecisionPublisher {

    /**
     * @throws DecisionsUnavailableException when this api cannot sign decisions at all (no key configured)
     */
    void publish(CommandDecision decision) throws Exception;

    /** A publisher for an api without a decision key: every decision is refused, saying which setting to give. */
    static DecisionPublisher withoutKey(String why) {
        return decision -> {
            throw new DecisionsUnavailableException(why);
        };
    }

    /** This api cannot sign decisions; the message says what to configure. */
    final class DecisionsUnavailableException extends Exception {

        public DecisionsUnavailableException(String message) {
            super(message);
        }
    }
}
