package io.tunnelvision.agent.apply;

import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.sign.SignatureVerdict;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many commands the executor answered with each status, for the agent's metrics: refusals (REJECTED,
 * EXPIRED) and FAILED writes show on the gateway's own scrape, not only in the results topic. Thread-safe.
 */
public final class CommandCounts {

    private final Map<CommandStatus, AtomicLong> byStatus = new EnumMap<>(CommandStatus.class);
    private final Map<Delivery, AtomicLong> byDelivery = new EnumMap<>(Delivery.class);
    /** Why signatures were refused: a revoked key in use is an incident of its own, not just one more REJECTED. */
    private final Map<SignatureVerdict, AtomicLong> signatureRefusals = new EnumMap<>(SignatureVerdict.class);

    public CommandCounts() {
        for (CommandStatus status : CommandStatus.values()) {
            byStatus.put(status, new AtomicLong());
        }
        for (Delivery delivery : Delivery.values()) {
            byDelivery.put(delivery, new AtomicLong());
        }
        for (SignatureVerdict verdict : SignatureVerdict.values()) {
            signatureRefusals.put(verdict, new AtomicLong());
        }
    }

    void count(Delivery delivery) {
        byDelivery.get(delivery).incrementAndGet();
    }

    /** Commands handled with this delivery; a {@link Delivery#REPEAT} is not counted by status again. */
    public long of(Delivery delivery) {
        return byDelivery.get(delivery).get();
    }

    void countSignatureRefusal(SignatureVerdict verdict) {
        signatureRefusals.get(verdict).incrementAndGet();
    }

    public long signatureRefusals(SignatureVerdict verdict) {
        return signatureRefusals.get(verdict).get();
    }

    void count(CommandStatus status) {
        byStatus.get(status == null ? CommandStatus.UNKNOWN : status).incrementAndGet();
    }

    public long of(CommandStatus status) {
        return byStatus.get(status).get();
    }
}
