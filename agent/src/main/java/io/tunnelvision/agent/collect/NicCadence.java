package io.tunnelvision.agent.collect;

/**
 * How often the NIC collector runs ethtool, in rounds.
 *
 * @param countersEvery rounds between two reads of {@code ethtool -S} (and two NIC samples)
 * @param settingsEvery rounds between two reads of rings, channels, coalescing and offloads (and at once after a
 *                      command was answered)
 */
public record NicCadence(int countersEvery, int settingsEvery) {

    /** Every round, as {@code collect --once} and the doctor want them. */
    public static final NicCadence EVERY_ROUND = new NicCadence(1, 1);

    /**
     * The running agent's: counters every 30 rounds (30 s at the default interval: drops that persist are what the
     * detector looks for), settings every 300 (they change only by hand or by a command, after which they are read
     * at once).
     */
    public static final NicCadence AGENT = new NicCadence(30, 300);

    public NicCadence {
        if (countersEvery < 1 || settingsEvery < 1) {
            throw new IllegalArgumentException("NIC cadence must be at least 1 round, not " + countersEvery
                    + "/" + settingsEvery);
        }
    }
}
