package io.tunnelvision.streams;

import io.tunnelvision.config.ConfigException;
import io.tunnelvision.config.Env;
import io.tunnelvision.config.KafkaRoles;
import io.tunnelvision.config.KafkaSecurity;
import io.tunnelvision.config.KafkaSettings;
import io.tunnelvision.config.Setting;
import io.tunnelvision.schemas.topic.Topics;
import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.plan.PlannerSettings;
import io.tunnelvision.rules.plan.RemediationPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.time.Duration;
import java.util.function.Function;
import java.nio.file.Path;
import java.util.ArrayList;
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

    /** Shared with topic init, whose ACLs give the streams principal what this id names. */
    public static final Setting APPLICATION_ID = KafkaRoles.STREAMS_APPLICATION_ID;
    public static final Setting STATE_DIR = Setting.optional("TUNNELVISION_STREAMS_STATE_DIR",
            "/var/lib/tunnelvision/streams", "Directory holding the local state stores");
    public static final Setting THREADS = Setting.optional("TUNNELVISION_STREAMS_THREADS", "1",
            "Number of stream threads in this instance (1 to 64)");
    public static final Setting PLANNER_MODE = Setting.optional("TUNNELVISION_STREAMS_PLANNER_MODE", "approval",
            "What the planner does with a hotspot: " + PlannerMode.names()
                    + " (send commands, propose them for approval, only report)");

    public static final Setting COMMIT_INTERVAL = Setting.optional("TUNNELVISION_STREAMS_COMMIT_INTERVAL", "100ms",
            "How often transactions commit (exactly-once): the floor of the sample-to-command latency");
    public static final Setting SIGNING_KEY_FILE = Setting.optional("TUNNELVISION_STREAMS_SIGNING_KEY_FILE",
            "/var/lib/tunnelvision/keys/planner.key.pem",
            "Ed25519 private key (PKCS#8 PEM) commands are signed with (tunnelvision keygen DIR planner; give agents"
                    + " the .pub.pem); streams refuses to start without it unless"
                    + " TUNNELVISION_STREAMS_CREATE_KEY=true");
    public static final Setting CREATE_KEY = Setting.optional("TUNNELVISION_STREAMS_CREATE_KEY", "false",
            "true: create the signing key pair when its file is missing (a demo, a first start); otherwise a missing"
                    + " key stops streams, so a pod without its key volume never signs with a key no agent trusts");
    public static final Setting DECISION_KEYS = Setting.optional("TUNNELVISION_STREAMS_DECISION_KEYS", "",
            "The api's public keys (*.pub.pem files or directories of them, comma-separated) whose signed approve and"
                    + " reject decisions the gate accepts; required in approval mode. Refused decisions go to the"
                    + " dead-letter topic");
    public static final Setting DECISION_MAX_AGE = Setting.optional("TUNNELVISION_STREAMS_DECISION_MAX_AGE", "10m",
            "A decision older than this by the gate's clock when it arrives is refused (the operator decides again);"
                    + " one more than 30s ahead of it too");
    public static final Setting DRY_RUN = Setting.optional("TUNNELVISION_STREAMS_DRY_RUN", "false",
            "Send commands flagged dry-run: agents only report what they would change");
    public static final Setting POLICY = Setting.optional("TUNNELVISION_STREAMS_POLICY", "",
            "Overrides of the hotspot-to-command policy, TYPE=ACTION[+ACTION],... (TYPE= switches one off); default "
                    + RemediationPolicy.DEFAULT);
    public static final Setting THRESHOLDS = Setting.optional("TUNNELVISION_STREAMS_THRESHOLDS", "",
            "Overrides of detector thresholds and windows, name=value,... (e.g. squeezePerSec=20,openAfter=2)");
    public static final Setting COOLDOWN = Setting.optional("TUNNELVISION_STREAMS_COOLDOWN", "15m",
            "After a rollback (or a change never judged), no change of that setting on that host for this long; "
                    + "a verified change sets none, so its next rung follows the verdict");
    public static final Setting COMMAND_TTL = Setting.optional("TUNNELVISION_STREAMS_COMMAND_TTL", "5m",
            "A command expires this long after it is issued");
    public static final Setting MAX_UNVERIFIED = Setting.optional("TUNNELVISION_STREAMS_MAX_UNVERIFIED", "5",
            "Fleet-wide limit of commands sent but not yet verified (1 to 10000)");
    public static final Setting CANARY_HOSTS = Setting.optional("TUNNELVISION_STREAMS_CANARY_HOSTS", "2",
            "For a fleet-wide hotspot, how many hosts get a command first; the rest wait until those verified");
    public static final Setting VERIFY_INTERVALS = Setting.optional("TUNNELVISION_STREAMS_VERIFY_INTERVALS", "5",
            "Intervals after an applied change that are compared with those before it (1 to 1000)");
    public static final Setting MIN_IMPROVEMENT = Setting.optional("TUNNELVISION_STREAMS_MIN_IMPROVEMENT", "0.2",
            "Fraction by which the hotspot's metric must fall for a change to count as enough; one that helped "
                    + "less is kept and the next rung follows, one that did nothing (under 5 %) or did harm is "
                    + "rolled back");
    public static final Setting ROLLBACK_BACKOFF = Setting.optional("TUNNELVISION_STREAMS_ROLLBACK_BACKOFF", "6h",
            "After a rollback, the value that was rolled back is not set again on that host for this long (the "
                    + "rest of its ladder is)");
    public static final Setting VERIFY_TIMEOUT = Setting.optional("TUNNELVISION_STREAMS_VERIFY_TIMEOUT", "30m",
            "A change still without a verdict this long after it was planned stops counting as unverified");

    public static final Setting HTTP_PORT = Setting.optional("TUNNELVISION_STREAMS_HTTP_PORT", "8081",
            "TCP port of the streams app's /metrics and /health endpoints (0: any free port)");
    public static final Setting HTTP_BIND = Setting.optional("TUNNELVISION_STREAMS_HTTP_BIND", "0.0.0.0",
            "IP address /metrics and /health listen on; the default answers on every interface, as the api does,"
                    + " for a scraper and a supervisor's probes on another host; 127.0.0.1 keeps them on this host");
    public static final Setting MAX_THREAD_REPLACEMENTS = Setting.optional(
            "TUNNELVISION_STREAMS_MAX_THREAD_REPLACEMENTS", "3",
            "Stream threads that died of an uncaught exception and are replaced within one window (0 to 100); the"
                    + " next one stops the app with exit code 2, for its supervisor to restart it");
    public static final Setting THREAD_REPLACEMENT_WINDOW = Setting.optional(
            "TUNNELVISION_STREAMS_THREAD_REPLACEMENT_WINDOW", "10m",
            "The window of TUNNELVISION_STREAMS_MAX_THREAD_REPLACEMENTS, between 1s and 24h");

    // Kafka's own rule for the names it derives topics from; checked here so a typo fails at start-up with
    // the variable's name instead of deep inside the first rebalance.
    private static final Pattern KAFKA_LEGAL_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,200}");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final String kafkaBootstrap;
    private final KafkaSecurity kafkaSecurity;
    private final Topics topics;
    private final String applicationId;
    private final Path stateDir;
    private final int threads;
    private final PlannerMode plannerMode;
    private final Duration commitInterval;
    private final Path signingKeyFile;
    private final boolean createKey;
    private final List<Path> decisionKeys;
    private final Duration decisionMaxAge;
    private final DetectionThresholds thresholds;
    private final RemediationPolicy policy;
    private final PlannerSettings plannerSettings;
    private final InetSocketAddress httpAddress;
    private final int maxThreadReplacements;
    private final Duration threadReplacementWindow;

    public StreamsAppConfig(Env env) {
        this.kafkaBootstrap = env.string(KafkaSettings.BOOTSTRAP);
        this.kafkaSecurity = KafkaSecurity.from(env);
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
        this.commitInterval = env.duration(COMMIT_INTERVAL);
        this.signingKeyFile = path(SIGNING_KEY_FILE, env.string(SIGNING_KEY_FILE));
        this.createKey = env.bool(CREATE_KEY);
        this.decisionKeys = Arrays.stream(env.string(DECISION_KEYS).split(",")).map(String::strip)
                .filter(entry -> !entry.isEmpty()).map(entry -> path(DECISION_KEYS, entry)).toList();
        this.decisionMaxAge = env.duration(DECISION_MAX_AGE);
        if (decisionMaxAge.isNegative() || decisionMaxAge.isZero()) {
            throw new ConfigException(DECISION_MAX_AGE.env() + "=" + env.string(DECISION_MAX_AGE)
                    + " must be positive");
        }
        this.thresholds = parsed(THRESHOLDS, env, DetectionThresholds.defaults()::withOverrides);
        this.policy = parsed(POLICY, env, RemediationPolicy::parse);
        String rawImprovement = env.string(MIN_IMPROVEMENT);
        double minImprovement;
        try {
            minImprovement = Double.parseDouble(rawImprovement);
        } catch (NumberFormatException e) {
            throw new ConfigException(MIN_IMPROVEMENT.env() + "=" + rawImprovement + " is not a number", e);
        }
        if (!(minImprovement >= 0 && minImprovement < 1)) {
            throw new ConfigException(MIN_IMPROVEMENT.env() + "=" + rawImprovement + " is out of range [0, 1)");
        }
        this.plannerSettings = new PlannerSettings(plannerMode != PlannerMode.OFF, plannerMode == PlannerMode.APPROVAL,
                env.bool(DRY_RUN), env.duration(COOLDOWN), env.duration(ROLLBACK_BACKOFF), env.duration(COMMAND_TTL),
                env.integer(MAX_UNVERIFIED, 1, 10_000), env.integer(CANARY_HOSTS, 1, 1000),
                env.integer(VERIFY_INTERVALS, 1, 1000), minImprovement, env.duration(VERIFY_TIMEOUT));
        this.httpAddress = new InetSocketAddress(ipLiteral(HTTP_BIND, env.string(HTTP_BIND)),
                env.integer(HTTP_PORT, 0, 65_535));
        this.maxThreadReplacements = env.integer(MAX_THREAD_REPLACEMENTS, 0, 100);
        this.threadReplacementWindow = env.duration(THREAD_REPLACEMENT_WINDOW);
        if (threadReplacementWindow.compareTo(Duration.ofSeconds(1)) < 0
                || threadReplacementWindow.compareTo(Duration.ofHours(24)) > 0) {
            throw new ConfigException(THREAD_REPLACEMENT_WINDOW.env() + "=" + env.string(THREAD_REPLACEMENT_WINDOW)
                    + " is out of range: use 1s to 24h");
        }
    }

    /** A literal only: a host name would be resolved once at start and silently go stale. */
    private static InetAddress ipLiteral(Setting setting, String raw) {
        String s = raw.strip();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        // InetAddress never asks a resolver for a dotted quad or a string with a colon
        boolean v4 = IPV4.matcher(s).matches()
                && Arrays.stream(s.split("\\.")).allMatch(octet -> Integer.parseInt(octet) <= 255);
        if (v4 || (s.contains(":") && s.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0))) {
            try {
                return InetAddress.getByName(s);
            } catch (UnknownHostException e) {
                // reported below
            }
        }
        throw new ConfigException(setting.env() + "=" + raw + " is not an IP address (e.g. 0.0.0.0, 127.0.0.1, ::1);"
                + " host names are not resolved");
    }

    private static Path path(Setting setting, String raw) {
        try {
            return Path.of(raw);
        } catch (InvalidPathException e) {
            throw new ConfigException(setting.env() + "=" + raw + " is not a usable path: " + e.getReason(), e);
        }
    }

    private static <T> T parsed(Setting setting, Env env, Function<String, T> parser) {
        String raw = env.string(setting);
        try {
            return parser.apply(raw);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(setting.env() + "=" + raw + " is not usable: " + e.getMessage(), e);
        }
    }

    public static List<Setting> settings() {
        List<Setting> all = new ArrayList<>(KafkaSettings.all());
        all.addAll(List.of(APPLICATION_ID, STATE_DIR, THREADS,
                PLANNER_MODE, COMMIT_INTERVAL, SIGNING_KEY_FILE, CREATE_KEY, DECISION_KEYS, DECISION_MAX_AGE, DRY_RUN,
                POLICY, THRESHOLDS, COOLDOWN, COMMAND_TTL, MAX_UNVERIFIED, CANARY_HOSTS, VERIFY_INTERVALS,
                MIN_IMPROVEMENT, ROLLBACK_BACKOFF, VERIFY_TIMEOUT, HTTP_PORT, HTTP_BIND, MAX_THREAD_REPLACEMENTS,
                THREAD_REPLACEMENT_WINDOW));
        return List.copyOf(all);
    }

    public String kafkaBootstrap() {
        return kafkaBootstrap;
    }

    /** How the app's clients authenticate; the files are read when its properties are built. */
    public KafkaSecurity kafkaSecurity() {
        return kafkaSecurity;
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

    public Duration commitInterval() {
        return commitInterval;
    }

    public Path signingKeyFile() {
        return signingKeyFile;
    }

    public boolean createKey() {
        return createKey;
    }

    /** Public key files or directories of them; empty outside approval mode when none are configured. */
    public List<Path> decisionKeys() {
        return decisionKeys;
    }

    public Duration decisionMaxAge() {
        return decisionMaxAge;
    }

    public DetectionThresholds thresholds() {
        return thresholds;
    }

    public RemediationPolicy policy() {
        return policy;
    }

    public PlannerSettings plannerSettings() {
        return plannerSettings;
    }

    /** Where /metrics and /health listen. */
    public InetSocketAddress httpAddress() {
        return httpAddress;
    }

    /** Uncaught exceptions answered by replacing the stream thread within one window; the next stops the app. */
    public int maxThreadReplacements() {
        return maxThreadReplacements;
    }

    public Duration threadReplacementWindow() {
        return threadReplacementWindow;
    }

    @Override
    public String toString() {
        return "StreamsAppConfig{kafkaBootstrap=" + kafkaBootstrap + ", " + kafkaSecurity
                + ", topicNamespace=" + topics.namespace()
                + ", applicationId=" + applicationId
                + ", stateDir=" + stateDir + ", threads=" + threads + ", plannerMode="
                + plannerMode.name().toLowerCase(Locale.ROOT) + ", commitInterval=" + commitInterval
                + ", signingKeyFile=" + signingKeyFile + ", createKey=" + createKey + ", decisionKeys=" + decisionKeys
                + ", decisionMaxAge=" + decisionMaxAge + ", http=" + httpAddress + ", maxThreadReplacements="
                + maxThreadReplacements + " per " + threadReplacementWindow + ", " + plannerSettings + ", "
                + thresholds + "}";
    }

}
