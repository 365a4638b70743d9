package io.tunnelvision.schemas.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.ExampleRecords;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TopicsTest {

    @Test
    void standardNamesShareOnePrefixAndAreUnique() {
        List<Topic<?, ?>> all = Topics.standard().all();
        Set<String> names = new HashSet<>();
        for (Topic<?, ?> topic : all) {
            assertTrue(topic.name().startsWith(Topics.PREFIX), topic.name());
            assertTrue(names.add(topic.name()), "duplicate " + topic.name());
        }
        assertEquals(21, names.size());
    }

    @Test
    void aNamespacePrefixesEveryName() {
        for (Topic<?, ?> topic : Topics.inNamespace("test-42").all()) {
            assertTrue(topic.name().startsWith("test-42." + Topics.PREFIX), topic.name());
        }
    }

    @Test
    void aNamespaceThatWouldMakeBadTopicNamesIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Topics.inNamespace("Bad/Name"));
        assertTrue(e.getMessage().contains("Bad/Name"));
    }

    @Test
    void eachTopicsValueSerdeCarriesItsOwnRecordType() {
        Topics topics = Topics.standard();
        assertRoundTrip(topics.interruptSamples, ExampleRecords.interrupts("gw-1"));
        assertRoundTrip(topics.softnetSamples, ExampleRecords.softnet("gw-1"));
        assertRoundTrip(topics.linkSamples, ExampleRecords.link("gw-1"));
        assertRoundTrip(topics.interfaceConfigSamples, ExampleRecords.interfaceConfig("gw-1"));
        assertRoundTrip(topics.kernelSettingsSamples, ExampleRecords.kernel("gw-1"));
        assertRoundTrip(topics.latencySamples, ExampleRecords.latency("gw-1"));
        assertRoundTrip(topics.wireguardSamples, ExampleRecords.wireguard("gw-1"));
        assertRoundTrip(topics.pmtuSamples, ExampleRecords.pmtu("gw-1"));
        assertRoundTrip(topics.qdiscSamples, ExampleRecords.qdisc("gw-1"));
        assertRoundTrip(topics.nicSamples, ExampleRecords.nic("gw-1"));
        assertRoundTrip(topics.hotspots, ExampleRecords.hotspot("gw-1"));
        assertRoundTrip(topics.commands, ExampleRecords.command("gw-1"));
        assertRoundTrip(topics.commandResults, ExampleRecords.result("gw-1"));
        assertRoundTrip(topics.commandProposals, ExampleRecords.command("gw-1"));
        assertRoundTrip(topics.commandDecisions, ExampleRecords.decision("gw-1"));
        assertRoundTrip(topics.commandOutcomes, ExampleRecords.outcome("gw-1"));
        assertRoundTrip(topics.interruptRates, ExampleRecords.interruptRates("gw-1"));
        assertRoundTrip(topics.softnetRates, ExampleRecords.softnetRates("gw-1"));
        assertRoundTrip(topics.linkRates, ExampleRecords.linkRates("gw-1"));
        assertRoundTrip(topics.kernelRates, ExampleRecords.kernelRates("gw-1"));
    }

    @Test
    void retentionAndCleanupAreGivenToTheBroker() {
        Topic<?, ?> samples = Topics.standard().softnetSamples;
        assertEquals("delete", samples.configs().get("cleanup.policy"));
        assertEquals(Long.toString(samples.retention().toMillis()), samples.configs().get("retention.ms"));
    }

    private static <V> void assertRoundTrip(Topic<String, V> topic, V value) {
        byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
        assertEquals(value, topic.valueSerde().deserializer().deserialize(topic.name(), bytes), topic.name());
    }
}
