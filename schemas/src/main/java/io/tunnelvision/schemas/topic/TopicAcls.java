package io.tunnelvision.schemas.topic;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The ACLs of each role, computed from the {@link Topics} registry: exactly the rights the role's clients use,
 * nothing more, so a stolen gateway credential can write samples and results but never a command or a decision.
 *
 * <ul>
 *   <li>agent: writes its samples, command results and dead letters; reads commands in a group of its own
 *       (prefixed by {@link Topics#agentGroupPrefix()}).</li>
 *   <li>streams: reads samples, command results and decisions; writes rates, hotspots, outcomes, commands,
 *       proposals and dead letters; owns the topics, consumer group and transactional ids named after its
 *       application id (changelogs, the repartition topic, exactly-once producers).</li>
 *   <li>api: reads what it stores; writes decisions and dead letters; its own consumer group.</li>
 *   <li>admin: no ACL: the broker's {@code super.users}, used by topic init and operators only.</li>
 * </ul>
 * Producers are idempotent: since Kafka 3.0 a WRITE on a topic implies the IDEMPOTENT_WRITE that once had to be
 * granted on the cluster (KIP-679), so no role gets a cluster-wide right.
 */
public final class TopicAcls {

    private static final Pattern PRINCIPAL = Pattern.compile("[A-Za-z]+:.+");
    // Kafka's rule for the names it derives topics and transactional ids from.
    private static final Pattern KAFKA_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,200}");
    private static final String ANY_HOST = "*";

    /**
     * @param agent / streams / api  each role's principal, {@code User:NAME}
     * @param streamsApplicationId   what the streams app's internal topics, group and transactional ids start with
     * @param apiConsumerGroup       the api ingest consumer's group
     */
    public record Roles(String agent, String streams, String api, String streamsApplicationId,
                        String apiConsumerGroup) {

        public Roles {
            for (String principal : List.of(agent, streams, api)) {
                if (!PRINCIPAL.matcher(Objects.requireNonNull(principal, "principal")).matches()) {
                    throw new IllegalArgumentException("principal '" + principal + "' is not TYPE:NAME (User:agent)");
                }
            }
            if (agent.equals(streams) || agent.equals(api) || streams.equals(api)) {
                throw new IllegalArgumentException("the roles need three different principals, not " + agent + ", "
                        + streams + ", " + api + ": a shared one would give the agents the planner's rights");
            }
            for (String name : List.of(streamsApplicationId, apiConsumerGroup)) {
                if (!KAFKA_NAME.matcher(Objects.requireNonNull(name, "name")).matches()) {
                    throw new IllegalArgumentException("'" + name + "' is not a Kafka name (letters, digits, . _ -)");
                }
            }
        }
    }

    private final Topics topics;
    private final Roles roles;

    public TopicAcls(Topics topics, Roles roles) {
        this.topics = Objects.requireNonNull(topics, "topics");
        this.roles = Objects.requireNonNull(roles, "roles");
    }

    /** The topics each agent's samples go to. */
    public List<Topic<?, ?>> sampleTopics() {
        return List.of(topics.interruptSamples, topics.softnetSamples, topics.linkSamples,
                topics.interfaceConfigSamples, topics.kernelSettingsSamples, topics.latencySamples,
                topics.wireguardSamples, topics.pmtuSamples, topics.qdiscSamples, topics.nicSamples);
    }

    public List<AclBinding> agent() {
        List<AclBinding> acls = new ArrayList<>();
        String agent = roles.agent();
        for (Topic<?, ?> topic : sampleTopics()) {
            acls.add(topic(agent, topic, AclOperation.WRITE));
        }
        acls.add(topic(agent, topics.commandResults, AclOperation.WRITE));
        acls.add(topic(agent, topics.deadLetters, AclOperation.WRITE));
        acls.add(topic(agent, topics.commands, AclOperation.READ));
        acls.add(allow(agent, ResourceType.GROUP, topics.agentGroupPrefix(), PatternType.PREFIXED, AclOperation.READ));
        return List.copyOf(acls);
    }

    public List<AclBinding> streams() {
        List<AclBinding> acls = new ArrayList<>();
        String streams = roles.streams();
        // every sample topic: each has a detector in the per-host stage
        List<Topic<?, ?>> reads = new ArrayList<>(sampleTopics());
        reads.add(topics.commandResults);
        reads.add(topics.commandDecisions);
        for (Topic<?, ?> topic : reads) {
            acls.add(topic(streams, topic, AclOperation.READ));
        }
        for (Topic<?, ?> topic : List.of(topics.interruptRates, topics.softnetRates, topics.linkRates,
                topics.kernelRates, topics.hotspots, topics.commandOutcomes, topics.commands, topics.commandProposals,
                topics.deadLetters)) {
            acls.add(topic(streams, topic, AclOperation.WRITE));
        }
        // changelogs and the repartition topic: created at the first start, read, written and trimmed (DELETE)
        String internal = roles.streamsApplicationId() + "-";
        for (AclOperation operation : List.of(AclOperation.CREATE, AclOperation.READ, AclOperation.WRITE,
                AclOperation.DELETE, AclOperation.DESCRIBE_CONFIGS)) {
            acls.add(allow(streams, ResourceType.TOPIC, internal, PatternType.PREFIXED, operation));
        }
        acls.add(allow(streams, ResourceType.GROUP, roles.streamsApplicationId(), PatternType.LITERAL,
                AclOperation.READ));
        // exactly-once: each stream thread's producer has the transactional id APPLICATION_ID-PROCESS-THREAD
        acls.add(allow(streams, ResourceType.TRANSACTIONAL_ID, internal, PatternType.PREFIXED, AclOperation.WRITE));
        return List.copyOf(acls);
    }

    public List<AclBinding> api() {
        List<AclBinding> acls = new ArrayList<>();
        String api = roles.api();
        for (Topic<?, ?> topic : List.of(topics.interruptRates, topics.softnetRates, topics.linkRates,
                topics.kernelRates, topics.interfaceConfigSamples, topics.kernelSettingsSamples, topics.latencySamples,
                topics.wireguardSamples, topics.pmtuSamples, topics.qdiscSamples, topics.nicSamples,
                topics.hotspots, topics.commands, topics.commandProposals, topics.commandDecisions,
                topics.commandResults, topics.commandOutcomes)) {
            acls.add(topic(api, topic, AclOperation.READ));
        }
        acls.add(topic(api, topics.commandDecisions, AclOperation.WRITE));
        acls.add(topic(api, topics.deadLetters, AclOperation.WRITE));
        acls.add(allow(api, ResourceType.GROUP, roles.apiConsumerGroup(), PatternType.LITERAL, AclOperation.READ));
        return List.copyOf(acls);
    }

    /** Every role's ACLs. */
    public List<AclBinding> all() {
        List<AclBinding> all = new ArrayList<>(agent());
        all.addAll(streams());
        all.addAll(api());
        return List.copyOf(all);
    }

    private static AclBinding topic(String principal, Topic<?, ?> topic, AclOperation operation) {
        return allow(principal, ResourceType.TOPIC, topic.name(), PatternType.LITERAL, operation);
    }

    private static AclBinding allow(String principal, ResourceType type, String name, PatternType pattern,
                                    AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry(principal, ANY_HOST, operation, AclPermissionType.ALLOW));
    }
}
