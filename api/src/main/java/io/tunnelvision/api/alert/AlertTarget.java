package io.tunnelvision.api.alert;

import java.util.List;

/** Where alerts are delivered: one HTTP request per call, all of it taken or none. */
public interface AlertTarget {

    /** The name of the target in the outbox and in metrics ({@code alertmanager}, {@code webhook}). */
    String name();

    /** How many events one request carries. */
    int batchSize();

    void send(List<PendingAlert> alerts) throws DeliveryException;

    /** Sends alerts that are still firing again; a target without that notion does nothing. */
    default void resend(List<FiringAlert> alerts) throws DeliveryException {
    }
}
