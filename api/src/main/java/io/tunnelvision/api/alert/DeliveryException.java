package io.tunnelvision.api.alert;

/** A target did not take a delivery: unreachable, too slow, or it answered other than 2xx. */
public final class DeliveryException extends Exception {

    public DeliveryException(String message) {
        super(message);
    }

    public DeliveryException(String message, Throwable cause) {
        super(message, cause);
    }
}
