package io.tunnelvision.schemas.topic;

import io.tunnelvision.config.Env;
import io.tunnelvision.config.KafkaSettings;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** One-shot: creates every missing topic of the registry, then exits. Used by the compose file's init service. */
public final class TopicInit {

    private TopicInit() {
    }

    public static void main(String[] args) {
        Env env = Env.system();
        Topics topics = Topics.inNamespace(env.string(KafkaSettings.TOPIC_NAMESPACE));
        String bootstrap = env.string(KafkaSettings.BOOTSTRAP);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            TopicCreator.Outcome outcome = new TopicCreator(admin).ensure(topics.all());
            System.out.printf("topics on %s: %d created %s, %d already there, partition mismatches %s%n",
                    bootstrap, outcome.created().size(), outcome.created(), outcome.existing().size(),
                    outcome.partitionMismatches());
            if (!outcome.partitionMismatches().isEmpty()) {
                System.exit(3);
            }
        }
    }
}
