package io.tunnelvision.api.db;

/** The small integer that stands for a host in the metric tables. */
public record HostKey(String hostId, int hostKey) {
}
