package io.tunnelvision.agent.apply;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import io.tunnelvision.schemas.avro.CommandResult;

/** Where command results go: the spool (and so the results topic) in production, a list in tests. */
@FunctionalInterface
public interface ResultSink {

    /** Durable when it returns: the consumer commits the command's offset right after. */
    void publish(CommandResult result);

    /**
     * A record on the commands topic that is no command this agent can read: kept, as it arrived, on the
     * dead-letter topic. Durable when it returns. Tests that do not care may leave it out.
     */
    default void deadLetter(ConsumerRecord<byte[], byte[]> record, Exception error) {
    }
}
