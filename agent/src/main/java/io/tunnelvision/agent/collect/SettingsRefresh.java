package io.tunnelvision.agent.collect;

import java.util.concurrent.atomic.AtomicLong;

/**
 * When the collectors read again the settings that only an administrator (or this agent's executor) changes:
 * MTU, txqueuelen, RPS masks and flow counts, net.core sysctls, rp_filter, CPU governors. Counters are read every
 * round regardless; between two reads of the settings the collectors send the values they read last, so every
 * sample stays complete and its consumers see no difference but the age of those values.
 *
 * <p>Why: on a gateway with a 64-queue NIC these are some 160 of the 210 files a round opens (two RPS files per
 * queue; a host with cpufreq adds a governor per CPU), and opening a sysfs file costs 5 to 10 µs of system calls.
 * They are read every {@code everyRounds} rounds, and in the next round of each collector after
 * {@link #requestNow()}, which the agent calls when its executor has answered a command, so that a change it
 * applied shows in the next sample.
 *
 * <p>One instance is shared by the collectors; each asks through its own {@link #clock()}.
 */
public final class SettingsRefresh {

    private final int everyRounds;
    private final AtomicLong requests = new AtomicLong();

    /** @param everyRounds 1 reads the settings every round */
    public SettingsRefresh(int everyRounds) {
        if (everyRounds < 1) {
            throw new IllegalArgumentException("everyRounds must be at least 1, not " + everyRounds);
        }
        this.everyRounds = everyRounds;
    }

    /** Settings read every round, as {@code collect --once} and the doctor want them. */
    public static SettingsRefresh everyRound() {
        return new SettingsRefresh(1);
    }

    public int everyRounds() {
        return everyRounds;
    }

    /** The next round of every collector reads the settings again; safe from any thread. */
    public void requestNow() {
        requests.incrementAndGet();
    }

    /** The countdown of one collector. */
    public Clock clock() {
        return new Clock(everyRounds);
    }

    /**
     * A countdown with its own period that still reads at once after {@link #requestNow()}: for a source whose
     * reads cost more than a file (the NIC's ethtool settings).
     */
    public Clock clock(int rounds) {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be at least 1, not " + rounds);
        }
        return new Clock(rounds);
    }

    /** One collector's view: {@link #due()} once per round. Not thread-safe (collectors are synchronized). */
    public final class Clock {
        private final int period;
        private long seenRequests = -1; // the first round always reads
        private int roundsSinceRead;

        private Clock(int period) {
            this.period = period;
        }

        /** Whether this round reads the settings; counts the round. */
        public boolean due() {
            long now = requests.get();
            roundsSinceRead++;
            if (now != seenRequests || roundsSinceRead >= period) {
                seenRequests = now;
                roundsSinceRead = 0;
                return true;
            }
            return false;
        }
    }
}
