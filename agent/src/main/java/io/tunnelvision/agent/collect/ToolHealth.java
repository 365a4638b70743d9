package io.tunnelvision.agent.collect;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Whether a tool a collector runs ({@code tc}, {@code wg}, {@code ethtool}) works: counts the rounds in which it
 * did not, warns once when it stops working (not every round: an agent without wireguard-tools would fill its log)
 * and says once when it works again. Thread-safe: a collector may run its tool on another thread.
 */
public final class ToolHealth {

    private final Logger log;
    private final AtomicLong unavailable = new AtomicLong();
    private boolean failing;

    /** @param log the collector's logger, so that the lines name the collector */
    public ToolHealth(Logger log) {
        this.log = log;
    }

    /** A round in which the tool did not work: counted; {@code warning} is logged if it worked until now. */
    public synchronized void failed(String warning, Object... args) {
        unavailable.incrementAndGet();
        if (!failing) {
            failing = true;
            log.warn(warning + "; said once (agent/README.md)", args);
        }
    }

    /** A round in which the tool worked: {@code recovered} is logged if it did not until now. */
    public synchronized void worked(String recovered) {
        if (failing) {
            failing = false;
            log.info(recovered);
        }
    }

    /** Rounds in which the tool did not work; only grows. */
    public long unavailableRounds() {
        return unavailable.get();
    }
}
