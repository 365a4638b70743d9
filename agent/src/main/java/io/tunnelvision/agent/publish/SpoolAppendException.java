package io.tunnelvision.agent.publish;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A record the spool could not take (a full or failing disk). Nothing of it is left in the spool, it is counted
 * in {@code tunnelvision_spool_append_failures_total}, and everything appended before it is still there and still
 * being sent; the caller decides what the loss means (a sample round goes on with its next sample, a command
 * result leaves the command's offset uncommitted so that Kafka delivers the command again).
 */
public final class SpoolAppendException extends UncheckedIOException {

    SpoolAppendException(String message, IOException cause) {
        super(message, cause);
    }
}
