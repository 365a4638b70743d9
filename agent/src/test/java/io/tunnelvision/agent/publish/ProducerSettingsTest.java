package io.tunnelvision.agent.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class ProducerSettingsTest {

    @Test
    void aPartitionNeverHasTwoBatchesOnTheWireSoSamplesLandInSpoolOrder() {
        Map<String, Object> settings = ProducerSettings.forBootstrap("127.0.0.1:9092", "gw-1");

        // more than one in flight lets a later batch land before an earlier one that a restarting broker refused
        assertEquals(1, settings.get(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION));
        assertEquals(true, settings.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG));
        assertEquals("all", settings.get(ProducerConfig.ACKS_CONFIG));
    }

    @Test
    void securitySettingsCannotLoosenTheOrdering() {
        Map<String, Object> settings = ProducerSettings.forBootstrap("127.0.0.1:9092",
                Map.of(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5, "security.protocol", "SASL_SSL"),
                "gw-1");

        assertEquals(1, settings.get(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION));
        assertEquals("SASL_SSL", settings.get("security.protocol"));
    }
}
