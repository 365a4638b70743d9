package io.tunnelvision.api.db;

import java.time.Instant;

/** One gateway as the api knows it: who it is, which boot and agent it last reported from, and when. */
public record HostRow(
        String hostId,
        String bootId,
        String agentVersion,
        Instant firstSeen,
        Instant lastSeen,
        long lastSequence) {
}
