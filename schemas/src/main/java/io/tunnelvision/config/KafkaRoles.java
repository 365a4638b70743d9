package io.tunnelvision.config;

import io.tunnelvision.schemas.topic.TopicAcls;
import java.util.List;

/**
 * Who is who on a secured cluster: the principal of each role, and the names besides topics that a role's rights
 * cover. Topic init reads them to create the ACLs ({@link TopicAcls}); the streams app and the api read the two
 * names from the same variables, so the ACLs cannot drift from what the processes use.
 */
public final class KafkaRoles {

    public static final Setting PRINCIPAL_AGENT = Setting.optional("TUNNELVISION_ACL_PRINCIPAL_AGENT", "User:agent",
            "Kafka principal of the agents (topic init --acls): writes samples and command results, reads commands");
    public static final Setting PRINCIPAL_STREAMS = Setting.optional("TUNNELVISION_ACL_PRINCIPAL_STREAMS",
            "User:streams", "Kafka principal of the streams app (topic init --acls): reads samples, results and"
                    + " decisions, writes rates, hotspots, commands, proposals and outcomes, owns its internal topics");
    public static final Setting PRINCIPAL_API = Setting.optional("TUNNELVISION_ACL_PRINCIPAL_API", "User:api",
            "Kafka principal of the api (topic init --acls): reads what it stores, writes command decisions");
    public static final Setting STREAMS_APPLICATION_ID = Setting.optional("TUNNELVISION_STREAMS_APPLICATION_ID",
            "tunnelvision-streams",
            "Kafka Streams application id: names the consumer group, internal topics and state directory");
    public static final Setting API_CONSUMER_GROUP = Setting.optional("TUNNELVISION_API_CONSUMER_GROUP",
            "tunnelvision-api", "Kafka consumer group of the ingest consumer; instances in one group share the work");

    private KafkaRoles() {
    }

    public static List<Setting> all() {
        return List.of(PRINCIPAL_AGENT, PRINCIPAL_STREAMS, PRINCIPAL_API, STREAMS_APPLICATION_ID, API_CONSUMER_GROUP);
    }

    public static TopicAcls.Roles roles(Env env) {
        try {
            return new TopicAcls.Roles(env.string(PRINCIPAL_AGENT), env.string(PRINCIPAL_STREAMS),
                    env.string(PRINCIPAL_API), env.string(STREAMS_APPLICATION_ID), env.string(API_CONSUMER_GROUP));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("The ACL settings are not usable: " + e.getMessage(), e);
        }
    }
}
