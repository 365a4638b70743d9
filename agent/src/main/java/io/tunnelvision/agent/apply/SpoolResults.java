package io.tunnelvision.agent.apply;

import io.tunnelvision.agent.publish.SpoolRecord;
import io.tunnelvision.schemas.topic.DeadLetterHeaders;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import io.tunnelvision.agent.publish.SamplePublisher;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.topic.Topic;

/**
 * Results go through the agent's on-disk spool like samples do: the spool sender delivers them in order (a
 * duplicate after a failed batch is harmless: streams settles a command once), and a result of a command applied
 * while Kafka was away is delivered when it comes back.
 */
public final class SpoolResults implements ResultSink {

    private final Topic<String, CommandResult> topic;
    private final Topic<byte[], byte[]> deadLetters;
    private final SamplePublisher publisher;

    public SpoolResults(Topic<String, CommandResult> topic, Topic<byte[], byte[]> deadLetters,
                        SamplePublisher publisher) {
        this.topic = topic;
        this.deadLetters = deadLetters;
        this.publisher = publisher;
    }

    @Override
    public void deadLetter(ConsumerRecord<byte[], byte[]> record, Exception error) {
        publisher.publishRaw(new SpoolRecord(deadLetters.name(), record.key() == null ? new byte[0] : record.key(),
                record.value() == null ? new byte[0] : record.value(), Map.of(
                        DeadLetterHeaders.SOURCE_TOPIC, record.topic(),
                        DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(record.partition()),
                        DeadLetterHeaders.SOURCE_OFFSET, Long.toString(record.offset()),
                        DeadLetterHeaders.ERROR, error.getClass().getSimpleName() + ": " + error.getMessage())));
    }

    @Override
    public void publish(CommandResult result) {
        publisher.publish(topic, result.getHostId(), result);
    }
}
