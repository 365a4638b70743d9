package io.tunnelvision.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.agent.apply.CommandCounts;
import io.tunnelvision.agent.collect.CollectorRegistry;
import io.tunnelvision.agent.metrics.AgentMetrics;
import io.tunnelvision.agent.metrics.MetricsServer;
import io.tunnelvision.agent.probe.ReflectorCounts;
import io.tunnelvision.agent.publish.DiskSpool;
import io.tunnelvision.agent.publish.ProducerSettings;
import io.tunnelvision.agent.publish.SamplePublisher;
import io.tunnelvision.agent.publish.SpoolSender;
import io.tunnelvision.agent.run.AgentLoop;
import io.tunnelvision.agent.run.CollectionRound;
import io.tunnelvision.agent.run.HostIdentity;
import io.tunnelvision.agent.run.SampleRouting;
import io.tunnelvision.agent.run.SequenceStore;
import io.tunnelvision.api.ApiConfig;
import io.tunnelvision.api.ApiRuntime;
import io.tunnelvision.api.db.Database;
import io.tunnelvision.config.Env;
import io.tunnelvision.embedded.fixture.PostgresEndpoint;
import io.tunnelvision.embedded.fixture.SharedKafka;
import io.tunnelvision.embedded.fixture.SharedPostgres;
import io.tunnelvision.schemas.sign.CommandSigner;
import io.tunnelvision.schemas.sign.Ed25519Keys;
import io.tunnelvision.schemas.topic.TopicCreator;
import io.tunnelvision.schemas.topic.Topics;
import io.tunnelvision.streams.StreamsAppConfig;
import io.tunnelvision.streams.StreamsProperties;
import io.tunnelvision.streams.StreamsRuntime;
import io.tunnelvision.streams.fleet.DecisionCheck;
import io.tunnelvision.streams.topology.TunnelvisionTopology;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every metric name ops/prometheus/alerts.yml and ops/grafana/tunnelvision.json read is one a service exports: the
 * agent's, the streams app's and the api's real /metrics endpoints, on the embedded broker and PostgreSQL, scraped.
 */
class OpsMetricNamesIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern FAMILY = Pattern.compile("(?m)^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) ");
    private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");

    @TempDir
    Path dir;

    @Test
    void everyNameTheAlertsAndTheDashboardUseIsExported() throws Exception {
        String bootstrap = SharedKafka.get().bootstrapServers();
        Topics topics = Topics.inNamespace("ops-it-" + UUID.randomUUID().toString().substring(0, 8));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            new TopicCreator(admin).ensure(topics.all());
        }
        Map<String, Set<String>> exported = new TreeMap<>();
        exported.put("agent", agentNames(bootstrap, topics));
        exported.put("streams", streamsNames(bootstrap, topics));
        exported.put("api", apiNames(bootstrap, topics));

        Set<String> all = new TreeSet<>(OpsFiles.SYNTHETIC);
        exported.values().forEach(all::addAll);
        Set<String> used = OpsFiles.namesUsed();
        Set<String> unknown = new TreeSet<>(used);
        unknown.removeAll(all);
        assertEquals(Set.of(), unknown, "used in ops/ but exported by no service");
        assertTrue(used.size() >= 25, "names used: " + used);
    }

    private Set<String> agentNames(String bootstrap, Topics topics) throws Exception {
        CollectorRegistry registry = CollectorRegistry.standard(Path.of("/proc"), Path.of("/sys"));
        Path state = Files.createDirectories(dir.resolve("agent"));
        try (DiskSpool spool = DiskSpool.open(state, 8L << 20);
             SpoolSender sender = new SpoolSender(spool, () -> new KafkaProducer<>(
                     ProducerSettings.forBootstrap(bootstrap, "gw-ops"), new ByteArraySerializer(),
                     new ByteArraySerializer())).start();
             AgentLoop loop = new AgentLoop(HostIdentity.read("gw-ops", Path.of("/proc")),
                     new CollectionRound(registry), new SampleRouting(topics, new SamplePublisher(spool)),
                     new SequenceStore(state), Clock.systemUTC());
             MetricsServer metrics = new MetricsServer(new InetSocketAddress("127.0.0.1", 0),
                     new AgentMetrics(registry, spool, sender, loop, new CommandCounts(),
                             new ReflectorCounts())::render)) {
            loop.start(Duration.ofMillis(200));
            Thread.sleep(1000);
            return names(get(metrics.port(), "/metrics"));
        }
    }

    private Set<String> streamsNames(String bootstrap, Topics topics) throws Exception {
        StreamsAppConfig config = new StreamsAppConfig(new Env(Map.of(
                "TUNNELVISION_KAFKA_BOOTSTRAP", bootstrap,
                "TUNNELVISION_TOPIC_NAMESPACE", topics.namespace(),
                "TUNNELVISION_STREAMS_APPLICATION_ID", topics.namespace() + "-streams",
                "TUNNELVISION_STREAMS_PLANNER_MODE", "auto",
                "TUNNELVISION_STREAMS_HTTP_BIND", "127.0.0.1",
                "TUNNELVISION_STREAMS_HTTP_PORT", "0")));
        var props = StreamsProperties.of(config);
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createDirectories(dir.resolve("streams")).toString());
        try (StreamsRuntime runtime = StreamsRuntime.create(config, new TunnelvisionTopology(config.topics(),
                config.thresholds(), config.policy(), config.plannerSettings(),
                CommandSigner.of(Ed25519Keys.generate()), DecisionCheck.refusingAll()).build(), props,
                Clock.systemUTC()).start()) {
            assertTrue(runtime.awaitRunning(Duration.ofSeconds(90)), "streams not RUNNING");
            // the app's own series are registered when its tasks start and bound on the binder's next refresh
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            String body = get(runtime.httpPort(), "/metrics");
            while (!(body.contains("kafka_tunnelvision_streams_verdicts_total{")
                    && body.contains("kafka_consumer_fetch_manager_records_lag_max{"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(500);
                body = get(runtime.httpPort(), "/metrics");
            }
            return names(body);
        }
    }

    private Set<String> apiNames(String bootstrap, Topics topics) throws Exception {
        PostgresEndpoint db = SharedPostgres.get().newSchema("ops_metric_names");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Map<String, String> env = new HashMap<>(Map.of(
                "TUNNELVISION_KAFKA_BOOTSTRAP", bootstrap,
                "TUNNELVISION_TOPIC_NAMESPACE", topics.namespace(),
                "TUNNELVISION_DB_URL", db.jdbcUrl(),
                "TUNNELVISION_DB_USER", db.user(),
                "TUNNELVISION_DB_PASSWORD", db.password(),
                "TUNNELVISION_API_HTTP_HOST", "127.0.0.1",
                "TUNNELVISION_API_HTTP_PORT", Integer.toString(port),
                "TUNNELVISION_API_CONSUMER_GROUP", topics.namespace() + "-api"));
        // a gateway, an open hotspot and a verified command in the database: the fleet gauges export a series per
        // label set they find, none without
        try (Database database = Database.connect(db.jdbcUrl(), db.user(), db.password())) {
            database.migrate();
            database.jdbi().useHandle(h -> {
                h.execute("INSERT INTO hosts (host_id, boot_id, agent_version, first_seen, last_seen, last_sequence)"
                        + " VALUES ('gw-ops', 'b', 'v', now(), now(), 1)");
                h.execute("INSERT INTO hotspots (hotspot_id, scope, host_id, type, severity, state, target, summary,"
                        + " evidence, hosts, window_start, window_end, opened_at, updated_at) VALUES ('h-ops', 'HOST',"
                        + " 'gw-ops', 'SOFTIRQ_SQUEEZE', 'CRITICAL', 'OPEN', 'cpu0', 'ops', '{}'::jsonb,"
                        + " ARRAY['gw-ops'], now(), now(), now(), now())");
                h.execute("INSERT INTO commands (command_id, host_id, sequence, issued_at, expires_at, action, target,"
                        + " new_value, expected_value, reason, dry_run, key_id, proposed, published) VALUES ('c-ops',"
                        + " 'gw-ops', 1, now(), now() + interval '5 minutes', 'TXQUEUELEN', 'tun0', '1000', '500',"
                        + " 'ops', false, 'k1', false, true)");
                h.execute("INSERT INTO command_outcomes (command_id, host_id, verdict, metric, value_before,"
                        + " value_after, decided_at) VALUES ('c-ops', 'gw-ops', 'VERIFIED', 'txDropsPerSec', 10, 1,"
                        + " now())");
            });
        }
        try (ApiRuntime api = ApiRuntime.start(new ApiConfig(new Env(env)))) {
            get(api.port(), "/health");
            // the gauges are read from the database on their own thread, right after the start
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            String body = get(api.port(), "/metrics");
            while (!(body.contains("tunnelvision_api_hotspots_open{")
                    && body.contains("tunnelvision_api_agent_last_seen_age_seconds{")
                    && body.contains("tunnelvision_api_commands{")
                    && body.contains("tunnelvision_api_command_verdicts{"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(500);
                body = get(api.port(), "/metrics");
            }
            return names(body);
        }
    }

    private static String get(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return response.body();
    }

    /** Family names (# TYPE) and sample names: a summary's family has _count and _sum samples. */
    private static Set<String> names(String body) {
        Set<String> names = new TreeSet<>();
        for (Pattern p : new Pattern[] {FAMILY, SAMPLE}) {
            Matcher m = p.matcher(body);
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }
}
