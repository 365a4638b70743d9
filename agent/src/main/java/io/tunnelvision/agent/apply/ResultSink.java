package io.tunnelvision.agent.apply;

import io.tunnelvision.schemas.avro.CommandResult;

/** Where command results go: the spool (and so the results topic) in production, a list in tests. */
@FunctionalInterface
public interface ResultSink {

    /** Durable when it returns: the consumer commits the command's offset right after. */
    void publish(CommandResult result);
}
