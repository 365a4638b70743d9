package io.tunnelvision.schemas.codec;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A payload could not be decoded into the expected record. Extends Kafka's {@link SerializationException} so that
 * consumers and Kafka Streams treat it as a poison record (dead-letter topic), not as a crash.
 */
public final class PayloadDecodeException extends SerializationException {

    public PayloadDecodeException(String message) {
        super(message);
    }

    public PayloadDecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
