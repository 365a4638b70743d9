package io.tunnelvision.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tunnelvision.api.ingest.IngestConsumer;
import io.tunnelvision.config.Env;
import io.tunnelvision.config.KafkaRoles;
import io.tunnelvision.schemas.sign.CommandSigner;
import io.tunnelvision.schemas.sign.Ed25519Keys;
import io.tunnelvision.schemas.topic.TopicAcls;
import io.tunnelvision.schemas.topic.Topics;
import io.tunnelvision.streams.StreamsAppConfig;
import io.tunnelvision.streams.StreamsProperties;
import io.tunnelvision.streams.topology.TunnelvisionTopology;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/**
 * The ACLs are written from the registry, the clients from their own code: these tests hold the two together, so
 * a topic the topology or the api starts to read or write fails here instead of as an authorization error in
 * production (SecureLoopIT proves the rest on a real broker).
 */
class TopicAclsMatchTheClientsTest {

    private static final Topics TOPICS = Topics.standard();
    private static final TopicAcls ACLS = new TopicAcls(TOPICS, KafkaRoles.roles(new Env(Map.of())));

    @Test
    void theStreamsAppMayReadExactlyTheTopologysSourcesAndWriteExactlyItsSinksAndDeadLetters() {
        StreamsAppConfig config = new StreamsAppConfig(new Env(Map.of()));
        TopologyDescription topology = new TunnelvisionTopology(TOPICS, config.thresholds(), config.policy(),
                config.plannerSettings(), CommandSigner.of(Ed25519Keys.generate())).build().describe();
        Set<String> sources = new HashSet<>();
        Set<String> sinks = new HashSet<>();
        for (TopologyDescription.Subtopology subtopology : topology.subtopologies()) {
            for (TopologyDescription.Node node : subtopology.nodes()) {
                if (node instanceof TopologyDescription.Source source) {
                    sources.addAll(source.topicSet());
                } else if (node instanceof TopologyDescription.Sink sink) {
                    sinks.add(sink.topic());
                }
            }
        }
        Set<String> registry = TOPICS.all().stream().map(t -> t.name()).collect(Collectors.toSet());
        // the repartition topic is internal: prefixed by the application id, covered by the prefix ACLs
        sources.retainAll(registry);
        sinks.retainAll(registry);
        sinks.add((String) StreamsProperties.of(config).get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG));

        assertEquals(sources, topics(ACLS.streams(), AclOperation.READ));
        assertEquals(sinks, topics(ACLS.streams(), AclOperation.WRITE));
        assertTrue(ACLS.streams().stream().anyMatch(b -> b.pattern().resourceType() == ResourceType.GROUP
                        && b.pattern().name().equals(config.applicationId())),
                "no ACL for the group " + config.applicationId());
    }

    @Test
    void theApiMayReadExactlyWhatItsIngestConsumerSubscribesTo() {
        IngestConsumer ingest = new IngestConsumer(null, null, TOPICS, null, null, new SimpleMeterRegistry());
        assertEquals(Set.copyOf(ingest.topicNames()), topics(ACLS.api(), AclOperation.READ));
    }

    private static Set<String> topics(List<AclBinding> acls, AclOperation operation) {
        return acls.stream().filter(b -> b.pattern().resourceType() == ResourceType.TOPIC)
                .filter(b -> b.pattern().patternType() == PatternType.LITERAL)
                .filter(b -> b.entry().operation() == operation)
                .map(b -> b.pattern().name()).collect(Collectors.toSet());
    }
}
