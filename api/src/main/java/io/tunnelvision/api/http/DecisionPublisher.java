package io.tunnelvision.api.http;

import io.tunnelvision.schemas.avro.CommandDecision;

/** Sends an operator's decision to the planner. Returns once the broker has it, or throws. */
public interface DecisionPublisher {

    void publish(CommandDecision decision) throws Exception;
}
