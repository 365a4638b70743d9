package io.tunnelvision.agent.apply;

import io.tunnelvision.schemas.avro.CommandStatus;

/**
 * A check refused a command: it is published with {@link #status()} (REJECTED, or EXPIRED for a stale one) and
 * {@link #getMessage()} as the reason, and the kernel is not touched.
 */
public final class Refusal extends Exception {

    private final CommandStatus status;

    private Refusal(CommandStatus status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    public static Refusal rejected(String reason) {
        return new Refusal(CommandStatus.REJECTED, reason);
    }

    public static Refusal expired(String reason) {
        return new Refusal(CommandStatus.EXPIRED, reason);
    }

    public CommandStatus status() {
        return status;
    }
}
