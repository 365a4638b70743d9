package io.tunnelvision.agent.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostPartitionTest {

    @ParameterizedTest
    @ValueSource(strings = {"gw-ams-01", "gw-fra-07", "gateway.example.org", "h", "ümlaut-gw"})
    void theAgentReadsThePartitionTheProducersDefaultPartitionerWritesItsKeyTo(String host) {
        for (int partitions : new int[] {1, 3, 12, 50}) {
            assertEquals(BuiltInPartitioner.partitionForKey(host.getBytes(StandardCharsets.UTF_8), partitions),
                    HostPartition.of(host, partitions), host + " over " + partitions);
        }
    }
}
