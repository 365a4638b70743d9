package io.tunnelvision.schemas.topic;

/**
 * Headers every process puts on a record it sends to the dead-letter topic, so an operator can tell where a
 * poison record came from and why it was refused, whoever refused it.
 */
public final class DeadLetterHeaders {

    public static final String SOURCE_TOPIC = "tv-source-topic";
    public static final String SOURCE_PARTITION = "tv-source-partition";
    public static final String SOURCE_OFFSET = "tv-source-offset";
    public static final String ERROR = "tv-error";

    private DeadLetterHeaders() {
    }
}
