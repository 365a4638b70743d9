package io.tunnelvision.streams;

import io.tunnelvision.config.ConfigException;
import io.tunnelvision.config.Env;
import io.tunnelvision.config.KafkaSettings;
import io.tunnelvision.config.Setting;
import io.tunnelvision.schemas.topic.Topics;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Everything the Kafka Streams application reads from its environment. */
public final class StreamsAppConfig {

    /** What the remediation planner does with a hotspot. */
    public enum PlannerMode {
        /** Tuning commands are sent to the agents straight away. */
        AUTO,
        /** Tuning commands are proposed and wait for an operator's approval. */
        APPROVAL,
        /** No tuning commands are planned; hotspots are only reported. */
        OFF;

        static PlannerMode parse(Setting setting, String raw) {
            try {
                return valueOf(raw.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(setting.env() + "=" + raw + " is not a planner mode: use one of "
                        + names(), e);
            }
        }

        static String names() {
            return Arrays.stream(values()).map(m -> m.name().toLowerCase(Locale.ROOT))
                    .collect(Collectors.joining("|"));
        }
    }

    public static final Setting APPLICATION_ID = Setting.optional("TUNNELVISION_STREAMS_APPLICATION_ID",
            "tunnelvision-streams",
            "Kafka Streams application id: names the consumer group, internal topics and state directory");
    public static final Setting STATE_DIR = Setting.optional("TUNNELVISION_STREAMS_STATE_DIR",
            "/var/lib/tunnelvision/streams", "Directory holding the local state stores");
    public static final Setting THREADS = Setting.optional("TUNNELVISION_STREAMS_THREADS", "1",
            "Number of stream threads in this instance (1 to 64)");
    public static final Setting PLANNER_MODE = Setting.optional("TUNNELVISION_STREAMS_PLANNER_MODE", "approval",
            "What the planner does with a hotspot: " + PlannerMode.names()
                    + " (send commands, propose them for approval, only report)");

    // Kafka's own rule for the names it derives topics from; checked here so a typo fails at start-up with
    // the variable's name instead of deep inside the first rebalance.
    private static final Pattern KAFKA_LEGAL_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,200}");

    private final String kafkaBootstrap;
    private final Topics topics;
    private final String applicationId;
    private final Path stateDir;
    private final int threads;
    private final PlannerMode plannerMode;

    public StreamsAppConfig(Env env) {
        this.kafkaBootstrap = env.string(KafkaSettings.BOOTSTRAP);
        this.topics = KafkaSettings.topics(env);
        this.applicationId = env.string(APPLICATION_ID);
        if (!KAFKA_LEGAL_NAME.matcher(applicationId).matches()) {
            throw new ConfigException(APPLICATION_ID.env() + "=" + applicationId
                    + " is not a valid application id: use letters, digits, '.', '_' and '-' only");
        }
        String rawStateDir = env.string(STATE_DIR);
        try {
            this.stateDir = Path.of(rawStateDir);
        } catch (InvalidPathException e) {
            throw new ConfigException(STATE_DIR.env() + "=" + rawStateDir + " is not a usable path: "
                    + e.getReason(), e);
        }
        this.threads = env.integer(THREADS, 1, 64);
        this.plannerMode = PlannerMode.parse(PLANNER_MODE, env.string(PLANNER_MODE));
    }

    public static List<Setting> settings() {
        return List.of(KafkaSettings.BOOTSTRAP, KafkaSettings.TOPIC_NAMESPACE, APPLICATION_ID, STATE_DIR, THREADS, PLANNER_MODE);
    }

    public String kafkaBootstrap() {
        return kafkaBootstrap;
    }

    /** The topic registry in the configured namespace. */
    public Topics topics() {
        return topics;
    }

    public String applicationId() {
        return applicationId;
    }

    public Path stateDir() {
        return stateDir;
    }

    public int threads() {
        return threads;
    }

    public PlannerMode plannerMode() {
        return plannerMode;
    }

    @Override
    public String toString() {
        return "StreamsAppConfig{kafkaBootstrap=" + kafkaBootstrap + ", topicNamespace=" + topics.namespace()
                + ", applicationId=" + applicationId
                + ", stateDir=" + stateDir + ", threads=" + threads + ", plannerMode="
                + plannerMode.name().toLowerCase(Locale.ROOT) + "}";
    }

}
