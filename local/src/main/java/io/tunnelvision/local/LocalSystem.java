package io.tunnelvision.local;

import io.tunnelvision.api.ApiConfig;
import io.tunnelvision.api.ApiRuntime;
import io.tunnelvision.api.http.ApiToken;
import io.tunnelvision.config.Env;
import io.tunnelvision.config.KafkaSecurity;
import io.tunnelvision.config.KafkaSettings;
import io.tunnelvision.embedded.EmbeddedKafka;
import io.tunnelvision.embedded.EmbeddedPostgresServer;
import io.tunnelvision.local.fleet.Fleet;
import io.tunnelvision.local.scenario.Scenario;
import io.tunnelvision.schemas.sign.CommandSigner;
import io.tunnelvision.schemas.sign.Ed25519Keys;
import io.tunnelvision.schemas.sign.TrustedKeys;
import io.tunnelvision.schemas.topic.TopicCreator;
import io.tunnelvision.schemas.topic.Topics;
import io.tunnelvision.streams.GateKeys;
import io.tunnelvision.streams.StreamsAppConfig;
import io.tunnelvision.streams.StreamsProperties;
import io.tunnelvision.streams.fleet.DecisionCheck;
import io.tunnelvision.streams.topology.TunnelvisionTopology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The whole system in one process: an embedded KRaft broker and PostgreSQL (or the database named by
 * {@code TUNNELVISION_DB_URL}), the topics, the streams app (planner in auto mode), the api with an operator token,
 * and a simulated fleet. Everything lives under one data directory, so a second start resumes: the broker's log,
 * the database, the streams state, the keys, the token and the gateways' agent state are all kept.
 *
 * <p>Two key pairs, in two directories so that neither is trusted for the other's job: {@code keys/planner.*}
 * (streams signs commands, the fleet's agents trust {@code keys/}) and {@code api-keys/api.*} (the api signs
 * decisions, the gate trusts {@code api-keys/api.pub.pem}).
 */
public final class LocalSystem implements AutoCloseable {

    /**
     * @param apiPort       0 picks a free port
     * @param streamsEnv    settings of the streams app beyond the local defaults (TUNNELVISION_STREAMS_*)
     * @param environment   where {@code TUNNELVISION_DB_URL} (and user, password) of an external database are read
     */
    public record Options(Path dataDir, Scenario scenario, int apiPort, int fleetWorkers,
                          Map<String, String> streamsEnv, Map<String, String> environment) {
    }

    /**
     * Streams settings the local system starts with: commands go out without approval, the loop closes; the
     * planner's key is created on the first run.
     */
    static final Map<String, String> STREAMS_DEFAULTS = Map.of(
            StreamsAppConfig.PLANNER_MODE.env(), "auto",
            StreamsAppConfig.MAX_UNVERIFIED.env(), "50",
            StreamsAppConfig.COMMIT_INTERVAL.env(), "200ms",
            StreamsAppConfig.CREATE_KEY.env(), "true");

    private final Deque<AutoCloseable> parts = new ArrayDeque<>();
    private final Options options;
    private final Consumer<String> progress;
    private String token;
    private String kafkaBootstrap;
    private int apiPort;
    private Fleet fleet;

    private LocalSystem(Options options, Consumer<String> progress) {
        this.options = options;
        this.progress = progress;
    }

    /** Starts every part in order, reporting each step to {@code progress}; on failure stops what started. */
    public static LocalSystem start(Options options, Consumer<String> progress) {
        LocalSystem system = new LocalSystem(options, progress);
        try {
            system.startParts();
            return system;
        } catch (RuntimeException | Error e) {
            system.close();
            throw e;
        }
    }

    private void startParts() {
        Path data = options.dataDir().toAbsolutePath();
        mkdirs(data);
        progress.accept("data directory " + data);

        progress.accept("starting Kafka (embedded KRaft broker)");
        EmbeddedKafka kafka = new EmbeddedKafka(data.resolve("kafka")).start();
        parts.push(kafka);
        String bootstrap = kafka.bootstrapServers();
        this.kafkaBootstrap = bootstrap;
        Topics topics = Topics.standard();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            TopicCreator.Outcome outcome = new TopicCreator(admin).ensure(topics.all());
            progress.accept("Kafka on " + bootstrap + ": " + outcome.created().size() + " topic(s) created, "
                    + outcome.existing().size() + " already there");
        }

        Map<String, String> env = options.environment();
        String dbUrl = env.get(ApiConfig.DB_URL.env());
        String dbUser = env.getOrDefault(ApiConfig.DB_USER.env(), ApiConfig.DB_USER.defaultValue());
        String dbPassword = env.getOrDefault(ApiConfig.DB_PASSWORD.env(), "");
        if (dbUrl == null || dbUrl.isBlank()) {
            progress.accept("starting PostgreSQL (embedded)");
            EmbeddedPostgresServer pg = new EmbeddedPostgresServer(data.resolve("postgres")).start();
            parts.push(pg);
            dbUrl = pg.jdbcUrl("postgres");
            dbUser = pg.user();
            dbPassword = pg.password();
            progress.accept("PostgreSQL on port " + pg.port());
        } else {
            progress.accept("using the PostgreSQL of " + ApiConfig.DB_URL.env());
        }

        Path keys = data.resolve("keys");
        Ed25519Keys.KeyFiles apiKey = apiDecisionKey(data.resolve("api-keys"));
        Map<String, String> streamsVars = new HashMap<>(STREAMS_DEFAULTS);
        streamsVars.putAll(options.streamsEnv());
        streamsVars.put(KafkaSettings.BOOTSTRAP.env(), bootstrap);
        streamsVars.put(StreamsAppConfig.STATE_DIR.env(), data.resolve("streams").toString());
        streamsVars.put(StreamsAppConfig.SIGNING_KEY_FILE.env(), keys.resolve("planner.key.pem").toString());
        streamsVars.put(StreamsAppConfig.DECISION_KEYS.env(), apiKey.publicKey().toString());
        StreamsAppConfig streamsConfig = new StreamsAppConfig(new Env(streamsVars));
        CommandSigner signer = GateKeys.signer(streamsConfig);
        DecisionCheck decisions = GateKeys.decisionCheck(streamsConfig, signer.keyId());
        progress.accept("starting the streams app (planner " + streamsConfig.plannerMode().name().toLowerCase()
                + ", key " + signer.keyId() + ", decisions by api key " + apiKey.keyId() + ")");
        KafkaStreams streams = new KafkaStreams(new TunnelvisionTopology(streamsConfig.topics(),
                streamsConfig.thresholds(), streamsConfig.policy(), streamsConfig.plannerSettings(), signer,
                decisions).build(), StreamsProperties.of(streamsConfig));
        CountDownLatch running = new CountDownLatch(1);
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING) {
                running.countDown();
            }
        });
        streams.start();
        // short: at JVM exit the embedded broker's own exit hook may already be stopping it, and the exactly-once
        // state is committed anyway
        parts.push(() -> streams.close(Duration.ofSeconds(10)));
        await(running, Duration.ofMinutes(2), "the streams app to run");

        this.token = token(data.resolve("operator.token"));
        Map<String, String> apiVars = new HashMap<>();
        apiVars.put(KafkaSettings.BOOTSTRAP.env(), bootstrap);
        apiVars.put(ApiConfig.DB_URL.env(), dbUrl);
        apiVars.put(ApiConfig.DB_USER.env(), dbUser);
        apiVars.put(ApiConfig.DB_PASSWORD.env(), dbPassword);
        apiVars.put(ApiConfig.HTTP_PORT.env(), Integer.toString(options.apiPort() == 0 ? freePort()
                : options.apiPort()));
        apiVars.put(ApiConfig.TOKENS.env(), "local-operator:operator:"
                + HexFormat.of().formatHex(ApiToken.hash(token)));
        apiVars.put(ApiConfig.DECISION_KEY_FILE.env(), apiKey.privateKey().toString());
        alertVars(env, data, apiVars);
        progress.accept("starting the api (migrating the database)");
        ApiConfig apiConfig = new ApiConfig(new Env(apiVars));
        if (!apiConfig.alerts().targets().isEmpty()) {
            progress.accept("alerts go to " + apiConfig.alerts().targets() + ": " + apiConfig.alerts());
        }
        ApiRuntime api = startApi(apiConfig);
        parts.push(api);
        this.apiPort = api.port();

        progress.accept("starting " + options.scenario().gateways() + " simulated gateways (scenario '"
                + options.scenario().name() + "')");
        // the embedded broker of the local system has no security
        this.fleet = Fleet.start(options.scenario(), new Fleet.Settings(data.resolve("fleet"), bootstrap,
                KafkaSecurity.none().clientProperties(), topics, TrustedKeys.fromDirectory(keys),
                options.fleetWorkers()));
        parts.push(fleet);
    }

    /**
     * The alert settings of the environment, passed on to the api: the demo's dashboard links point at its own
     * port, and a webhook without a secret file gets one made on the first run and kept in the data directory.
     */
    private void alertVars(Map<String, String> env, Path data, Map<String, String> apiVars) {
        for (var setting : List.of(ApiConfig.ALERTMANAGER_URL, ApiConfig.ALERT_WEBHOOK_URL,
                ApiConfig.ALERT_WEBHOOK_SECRET_FILE, ApiConfig.ALERT_AGENT_SILENT_AFTER,
                ApiConfig.ALERTMANAGER_RESEND_INTERVAL, ApiConfig.ALERT_GIVE_UP_AFTER, ApiConfig.PUBLIC_URL)) {
            String value = env.get(setting.env());
            if (value != null && !value.isBlank()) {
                apiVars.put(setting.env(), value);
            }
        }
        apiVars.putIfAbsent(ApiConfig.PUBLIC_URL.env(), "http://127.0.0.1:" + apiVars.get(ApiConfig.HTTP_PORT.env()));
        if (apiVars.containsKey(ApiConfig.ALERT_WEBHOOK_URL.env())
                && !apiVars.containsKey(ApiConfig.ALERT_WEBHOOK_SECRET_FILE.env())) {
            Path secret = data.resolve("alert-webhook.secret");
            if (!Files.exists(secret)) {
                byte[] bytes = new byte[32];
                new SecureRandom().nextBytes(bytes);
                writePrivate(secret, HexFormat.of().formatHex(bytes));
            }
            apiVars.put(ApiConfig.ALERT_WEBHOOK_SECRET_FILE.env(), secret.toString());
            progress.accept("webhook bodies are signed with the secret in " + secret);
        }
    }

    private static ApiRuntime startApi(ApiConfig config) {
        try {
            return ApiRuntime.start(config);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the api waited for its database", e);
        }
    }

    /**
     * The api's decision key, made on the first run and kept, in a directory of its own: the fleet's agents trust
     * every key in {@code keys/}, and this one must never make a gateway change anything.
     */
    private static Ed25519Keys.KeyFiles apiDecisionKey(Path dir) {
        Path privateKey = dir.resolve("api.key.pem");
        if (!Files.exists(privateKey)) {
            return Ed25519Keys.write(Ed25519Keys.generate(), dir, "api");
        }
        Path publicKey = dir.resolve("api.pub.pem");
        String keyId = Ed25519Keys.keyId(Ed25519Keys.readPublicKey(publicKey));
        return new Ed25519Keys.KeyFiles(privateKey, publicKey, keyId);
    }

    /** The operator token: made on the first run, kept (owner-readable only where the file system allows). */
    private static String token(Path file) {
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.US_ASCII).strip();
            }
            byte[] bytes = new byte[24];
            new SecureRandom().nextBytes(bytes);
            String token = "tv_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            writePrivate(file, token);
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the operator token in " + file, e);
        }
    }

    /** A secret on one line, owner-readable only where the file system allows. */
    private static void writePrivate(Path file, String secret) {
        try {
            Files.writeString(file, secret + "\n", StandardCharsets.US_ASCII);
            try {
                Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the data directory's own permissions protect it
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    private static void mkdirs(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    private static void await(CountDownLatch latch, Duration limit, String what) {
        try {
            if (!latch.await(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("gave up waiting " + limit.toSeconds() + " s for " + what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, e);
        }
    }

    public String apiUrl() {
        return "http://127.0.0.1:" + apiPort + "/api/v1/";
    }

    public String dashboardUrl() {
        return "http://127.0.0.1:" + apiPort + "/ui/";
    }

    public int apiPort() {
        return apiPort;
    }

    public String kafkaBootstrap() {
        return kafkaBootstrap;
    }

    public String token() {
        return token;
    }

    public Fleet fleet() {
        return fleet;
    }

    /** Stops the parts in reverse order: the fleet first, the broker and database last. */
    @Override
    public void close() {
        while (!parts.isEmpty()) {
            AutoCloseable part = parts.pop();
            try {
                part.close();
            } catch (Exception e) {
                progress.accept("stopping " + part + " failed: " + e);
            }
        }
    }
}
