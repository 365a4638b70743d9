package io.tunnelvision.schemas.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.config.ConfigException;
import io.tunnelvision.config.Env;
import io.tunnelvision.config.KafkaRoles;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

class TopicAclsTest {

    private static final Topics TOPICS = Topics.inNamespace("prod");
    private static final TopicAcls ACLS = new TopicAcls(TOPICS, KafkaRoles.roles(new Env(Map.of())));

    @Test
    void theAgentWritesSamplesResultsAndDeadLettersAndReadsOnlyCommands() {
        assertEquals(names(TOPICS.interruptSamples, TOPICS.softnetSamples, TOPICS.linkSamples,
                        TOPICS.interfaceConfigSamples, TOPICS.kernelSettingsSamples, TOPICS.latencySamples,
                        TOPICS.wireguardSamples, TOPICS.pmtuSamples, TOPICS.qdiscSamples, TOPICS.nicSamples,
                        TOPICS.commandResults, TOPICS.deadLetters),
                topics(ACLS.agent(), AclOperation.WRITE));
        assertEquals(names(TOPICS.commands), topics(ACLS.agent(), AclOperation.READ));
    }

    @Test
    void anAgentCanWriteNoCommandDecisionProposalOrPlannerOutput() {
        Set<String> writes = topics(ACLS.agent(), AclOperation.WRITE);
        for (Topic<?, ?> forbidden : List.of(TOPICS.commandDecisions, TOPICS.commands, TOPICS.commandProposals,
                TOPICS.commandOutcomes, TOPICS.hotspots, TOPICS.interruptRates, TOPICS.softnetRates,
                TOPICS.linkRates, TOPICS.kernelRates)) {
            assertFalse(writes.contains(forbidden.name()), "the agent may write " + forbidden.name());
        }
        assertEquals(Set.of(), topics(ACLS.agent(), AclOperation.ALL));
    }

    @Test
    void theAgentsShareOneGroupPrefixThatNoOtherRolesGroupMatches() {
        List<AclBinding> groups = of(ACLS.agent(), ResourceType.GROUP);
        assertEquals(1, groups.size());
        AclBinding group = groups.get(0);
        assertEquals("prod.tunnelvision-agent-", group.pattern().name());
        assertEquals(PatternType.PREFIXED, group.pattern().patternType());
        assertEquals(AclOperation.READ, group.entry().operation());
        for (AclBinding other : of(ACLS.streams(), ResourceType.GROUP)) {
            assertFalse(other.pattern().name().startsWith(group.pattern().name()));
        }
    }

    @Test
    void theApiReadsWhatItStoresAndWritesOnlyDecisionsAndDeadLetters() {
        assertEquals(names(TOPICS.commandDecisions, TOPICS.deadLetters), topics(ACLS.api(), AclOperation.WRITE));
        Set<String> reads = topics(ACLS.api(), AclOperation.READ);
        assertTrue(reads.contains(TOPICS.commandResults.name()));
        assertFalse(reads.contains(TOPICS.interruptSamples.name()), "raw interrupt samples are not stored");
        assertEquals(Set.of("tunnelvision-api"), of(ACLS.api(), ResourceType.GROUP).stream()
                .map(b -> b.pattern().name()).collect(Collectors.toSet()));
    }

    @Test
    void theStreamsAppReadsEverySampleTopicTheResultsAndTheDecisions() {
        assertEquals(names(TOPICS.interruptSamples, TOPICS.softnetSamples, TOPICS.linkSamples,
                        TOPICS.interfaceConfigSamples, TOPICS.kernelSettingsSamples, TOPICS.latencySamples,
                        TOPICS.wireguardSamples, TOPICS.pmtuSamples, TOPICS.qdiscSamples, TOPICS.nicSamples,
                        TOPICS.commandResults, TOPICS.commandDecisions),
                topics(ACLS.streams(), AclOperation.READ));
    }

    @Test
    void theStreamsAppOwnsItsInternalTopicsGroupAndTransactionsButWritesNoDecision() {
        assertFalse(topics(ACLS.streams(), AclOperation.WRITE).contains(TOPICS.commandDecisions.name()));
        assertFalse(topics(ACLS.streams(), AclOperation.READ).contains(TOPICS.commands.name()));
        Set<AclOperation> internal = ACLS.streams().stream()
                .filter(b -> b.pattern().resourceType() == ResourceType.TOPIC
                        && b.pattern().patternType() == PatternType.PREFIXED)
                .peek(b -> assertEquals("tunnelvision-streams-", b.pattern().name()))
                .map(b -> b.entry().operation()).collect(Collectors.toSet());
        assertEquals(Set.of(AclOperation.CREATE, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE,
                AclOperation.DESCRIBE_CONFIGS), internal);
        AclBinding transactions = of(ACLS.streams(), ResourceType.TRANSACTIONAL_ID).get(0);
        assertEquals("tunnelvision-streams-", transactions.pattern().name());
        assertEquals(AclOperation.WRITE, transactions.entry().operation());
    }

    @Test
    void everyAclAllowsOneOperationOfOnePrincipalAndNoneIsClusterWideOrAWildcard() {
        for (AclBinding binding : ACLS.all()) {
            assertEquals(AclPermissionType.ALLOW, binding.entry().permissionType(), binding.toString());
            assertFalse(binding.entry().operation() == AclOperation.ALL, binding.toString());
            assertFalse(binding.pattern().resourceType() == ResourceType.CLUSTER, binding.toString());
            assertFalse(binding.pattern().name().equals("*"), binding.toString());
            assertTrue(binding.entry().principal().matches("User:(agent|streams|api)"), binding.toString());
        }
        assertEquals(ACLS.all().size(), Set.copyOf(ACLS.all()).size(), "an ACL is listed twice");
    }

    @Test
    void rolesThatWouldShareRightsOrNameNothingAreRefused() {
        ConfigException shared = assertThrows(ConfigException.class, () -> KafkaRoles.roles(new Env(Map.of(
                "TUNNELVISION_ACL_PRINCIPAL_API", "User:agent"))));
        assertTrue(shared.getMessage().contains("three different principals"), shared.getMessage());
        ConfigException untyped = assertThrows(ConfigException.class, () -> KafkaRoles.roles(new Env(Map.of(
                "TUNNELVISION_ACL_PRINCIPAL_AGENT", "agent"))));
        assertTrue(untyped.getMessage().contains("'agent' is not TYPE:NAME"), untyped.getMessage());
    }

    private static Set<String> topics(List<AclBinding> acls, AclOperation operation) {
        return acls.stream().filter(b -> b.pattern().resourceType() == ResourceType.TOPIC)
                .filter(b -> b.pattern().patternType() == PatternType.LITERAL)
                .filter(b -> b.entry().operation() == operation)
                .map(b -> b.pattern().name()).collect(Collectors.toSet());
    }

    private static List<AclBinding> of(List<AclBinding> acls, ResourceType type) {
        return acls.stream().filter(b -> b.pattern().resourceType() == type).toList();
    }

    private static Set<String> names(Topic<?, ?>... topics) {
        return Arrays.stream(topics).map(Topic::name).collect(Collectors.toSet());
    }
}
