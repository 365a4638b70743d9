package io.tunnelvision.api.ingest;

/** A record that decoded but cannot be stored as it is (empty host, absurd CPU id, time far in the future). */
public final class InvalidRecordException extends RuntimeException {

    public InvalidRecordException(String message) {
        super(message);
    }
}
