package io.tunnelvision.agent.apply;

import java.util.Locale;

/** How a command reached the executor: the audit log writes it beside the result, the metrics count redeliveries. */
public enum Delivery {
    /** Not seen before: every check runs. */
    FIRST,
    /**
     * Taken on before the agent stopped, without a recorded result: the checks run again and the kernel's current
     * value tells whether the earlier write happened.
     */
    RESUMED,
    /** Its result is recorded: sent again as it was, and nothing else is done. */
    REPEAT;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
