package io.tunnelvision.api.db;

import java.time.Instant;

/** A host seen in a record: samples tell the agent version, rate records do not (null). */
public record HostSighting(String hostId, String bootId, long sequence, Instant time, String agentVersion) {

    /**
     * The later of two sightings of one host, by time then sequence; rate records carry no agent version, so the
     * winner keeps the other's when it has none.
     */
    public HostSighting latest(HostSighting other) {
        int byTime = time.compareTo(other.time);
        boolean thisWins = byTime != 0 ? byTime > 0 : sequence >= other.sequence;
        HostSighting winner = thisWins ? this : other;
        HostSighting loser = thisWins ? other : this;
        if (winner.agentVersion == null && loser.agentVersion != null) {
            return new HostSighting(winner.hostId, winner.bootId, winner.sequence, winner.time, loser.agentVersion);
        }
        return winner;
    }
}
