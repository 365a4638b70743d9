package io.tunnelvision.agent.apply;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * The partition of the commands topic that carries a host's commands: the one Kafka's default partitioner puts
 * its key on (murmur2 of the key's bytes, made positive, modulo the partition count), so the agent reads one
 * partition and not the whole fleet's commands.
 */
public final class HostPartition {

    private HostPartition() {
    }

    public static int of(String hostId, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("a topic has at least one partition, not " + partitions);
        }
        byte[] key = hostId.getBytes(StandardCharsets.UTF_8);
        return Utils.toPositive(Utils.murmur2(key)) % partitions;
    }
}
