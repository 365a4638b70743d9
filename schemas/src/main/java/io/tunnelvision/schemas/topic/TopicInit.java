package io.tunnelvision.schemas.topic;

import io.tunnelvision.config.ConfigException;
import io.tunnelvision.config.Env;
import io.tunnelvision.config.KafkaRoles;
import io.tunnelvision.config.KafkaSecurity;
import io.tunnelvision.config.KafkaSettings;
import io.tunnelvision.config.Setting;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * One-shot: creates every missing topic of the registry and, with {@code --acls}, every missing ACL of the roles
 * ({@link TopicAcls}), then exits. Used by the compose file's init service; on a secured cluster it runs as the
 * super user (its {@code TUNNELVISION_KAFKA_*} security settings name that user).
 */
public final class TopicInit {

    static final String ACLS = "--acls";

    private TopicInit() {
    }

    /** What topic init reads: the Kafka settings, and the roles' principals and names for {@value #ACLS}. */
    public static List<Setting> settings() {
        List<Setting> all = new ArrayList<>(KafkaSettings.all());
        all.addAll(KafkaRoles.all());
        return List.copyOf(all);
    }

    public static void main(String[] args) {
        if (args.length > 1 || (args.length == 1 && !args[0].equals(ACLS))) {
            System.err.println("usage: TopicInit [" + ACLS + "]   (settings: TUNNELVISION_KAFKA_*,"
                    + " TUNNELVISION_ACL_*)");
            System.exit(2);
        }
        boolean acls = args.length == 1;
        Env env = Env.system();
        Map<String, Object> props = new HashMap<>();
        Topics topics;
        KafkaSecurity security;
        TopicAcls.Roles roles;
        try {
            topics = KafkaSettings.topics(env);
            security = KafkaSecurity.from(env);
            props.putAll(security.clientProperties());
            roles = acls ? KafkaRoles.roles(env) : null;
        } catch (ConfigException e) {
            System.err.println("topic init: " + e.getMessage());
            System.exit(1);
            return;
        }
        String bootstrap = env.string(KafkaSettings.BOOTSTRAP);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            TopicCreator.Outcome outcome = new TopicCreator(admin).ensure(topics.all());
            System.out.printf("topics on %s (%s): %d created %s, %d already there, partition mismatches %s%n",
                    bootstrap, security, outcome.created().size(), outcome.created(), outcome.existing().size(),
                    outcome.partitionMismatches());
            if (acls) {
                AclCreator.Outcome created = new AclCreator(admin).ensure(new TopicAcls(topics, roles).all());
                System.out.printf("ACLs for %s, %s, %s: %d created, %d already there%n", roles.agent(),
                        roles.streams(), roles.api(), created.created().size(), created.existing());
            }
            if (!outcome.partitionMismatches().isEmpty()) {
                System.exit(3);
            }
        }
    }
}
