package io.tunnelvision.agent.apply;

import io.tunnelvision.schemas.avro.CommandStatus;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many commands the executor answered with each status, for the agent's metrics: refusals (REJECTED,
 * EXPIRED) and FAILED writes show on the gateway's own scrape, not only in the results topic. Thread-safe.
 */
public final class CommandCounts {

    private final Map<CommandStatus, AtomicLong> byStatus = new EnumMap<>(CommandStatus.class);

    public CommandCounts() {
        for (CommandStatus status : CommandStatus.values()) {
            byStatus.put(status, new AtomicLong());
        }
    }

    void count(CommandStatus status) {
        byStatus.get(status == null ? CommandStatus.UNKNOWN : status).incrementAndGet();
    }

    public long of(CommandStatus status) {
        return byStatus.get(status).get();
    }
}
