package io.tunnelvision.agent.apply;

import io.tunnelvision.agent.publish.SamplePublisher;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.topic.Topic;

/**
 * Results go through the agent's on-disk spool like samples do: the spool sender delivers them in Kafka
 * transactions, and a result of a command applied while Kafka was away is delivered when it comes back.
 */
public final class SpoolResults implements ResultSink {

    private final Topic<String, CommandResult> topic;
    private final SamplePublisher publisher;

    public SpoolResults(Topic<String, CommandResult> topic, SamplePublisher publisher) {
        this.topic = topic;
        this.publisher = publisher;
    }

    @Override
    public void publish(CommandResult result) {
        publisher.publish(topic, result.getHostId(), result);
    }
}
