package io.tunnelvision.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tunnelvision.api.ApiConfig;
import io.tunnelvision.api.KafkaClients;
import io.tunnelvision.api.TestDatabase;
import io.tunnelvision.api.TestRecords;
import io.tunnelvision.api.db.Database;
import io.tunnelvision.api.db.MetricFamily;
import io.tunnelvision.api.db.PartitionMaintenance;
import io.tunnelvision.api.db.Retention;
import io.tunnelvision.api.db.RowSink;
import io.tunnelvision.api.db.Rollups;
import io.tunnelvision.api.db.Tier;
import io.tunnelvision.api.http.ApiListener;
import io.tunnelvision.api.http.ApiServer;
import io.tunnelvision.api.http.ApiToken;
import io.tunnelvision.api.http.DecisionPublisher;
import io.tunnelvision.api.http.Health;
import io.tunnelvision.api.http.KafkaDecisionPublisher;
import io.tunnelvision.api.ingest.IngestWriter;
import io.tunnelvision.api.ingest.Item;
import io.tunnelvision.api.ingest.Source;
import io.tunnelvision.api.tls.TestCa;
import io.tunnelvision.config.Env;
import io.tunnelvision.embedded.fixture.SharedKafka;
import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.HotspotState;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.Verdict;
import io.tunnelvision.schemas.sign.DecisionSigner;
import io.tunnelvision.schemas.sign.Ed25519Keys;
import io.tunnelvision.schemas.topic.TopicCreator;
import io.tunnelvision.schemas.topic.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A real api for the CLI's tests, built from the api module's own test fixtures: a migrated schema on the shared
 * PostgreSQL with a small fleet written through the ingest path, decisions signed and sent to the shared broker, and
 * three listeners on it: plain HTTP, plain HTTP without a decision key (approve answers 503), and HTTPS with a
 * certificate from a CA made here.
 */
final class RealApi implements AutoCloseable {

    static final String VIEWER = "viewer-token-" + UUID.randomUUID();
    static final String OPERATOR = "operator-token-" + UUID.randomUUID();
    /** Ten minutes ago, on the minute: five minutes of per-second rates follow. */
    static final Instant T = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(10));

    final Topics topics = Topics.inNamespace("it-cli-" + UUID.randomUUID().toString().substring(0, 8));
    final KeyPair apiKeys = Ed25519Keys.generate();
    final TestCa ca = TestCa.root("cli it root");
    final Path caFile;
    private final Database database;
    private final List<ApiServer> servers = new ArrayList<>();
    private final ApiServer http;
    private final ApiServer withoutKey;
    private final ApiServer https;

    RealApi(Path dir) throws IOException {
        database = TestDatabase.fresh("cli_it");
        seed();
        String bootstrap = SharedKafka.get().bootstrapServers();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            new TopicCreator(admin).ensure(List.of(topics.commandDecisions));
        }
        KafkaDecisionPublisher decisions = new KafkaDecisionPublisher(
                new KafkaClients(bootstrap).decisionProducer(topics.commandDecisions), topics.commandDecisions,
                DecisionSigner.of(apiKeys));
        http = start(decisions, ApiListener.http(0));
        withoutKey = start(DecisionPublisher.withoutKey("TUNNELVISION_API_DECISION_KEY_FILE is not set"),
                ApiListener.http(0));

        TestCa.Issued certificate = ca.server("localhost");
        Path certificateFile = Files.writeString(dir.resolve("api.crt"), certificate.chainPem());
        Path keyFile = Files.writeString(dir.resolve("api.key"), certificate.keyPem());
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        caFile = Files.writeString(dir.resolve("ca.pem"), ca.pem());
        ApiListener tls = new ApiConfig(new Env(Map.of(
                "TUNNELVISION_DB_URL", "jdbc:postgresql://unused/unused",
                "TUNNELVISION_API_HTTP_HOST", "127.0.0.1",
                "TUNNELVISION_API_TLS_CERT_FILE", certificateFile.toString(),
                "TUNNELVISION_API_TLS_KEY_FILE", keyFile.toString()))).listener();
        https = start(decisions, new ApiListener(tls.host(), 0, tls.tls()));
    }

    private void seed() {
        Clock clock = Clock.systemUTC();
        PartitionMaintenance partitions = new PartitionMaintenance(database.jdbi(), Retention.DEFAULT, clock);
        List<Item> items = new ArrayList<>();
        for (int s = 0; s < 300; s++) {
            Instant t = T.plusSeconds(s);
            items.add(new Item(Source.SOFTNET_RATES, TestRecords.softnet("gw-1", t, s, 4, 10)));
            items.add(new Item(Source.LINK_RATES, TestRecords.link("gw-1", t, s, 100, "tun0")));
        }
        items.add(new Item(Source.LINK_RATES, TestRecords.link("gw-2", T, 1, 5, "wg0")));
        items.add(new Item(Source.HOTSPOTS, TestRecords.hotspot("hs-open", "gw-1", HotspotType.SOFTNET_SQUEEZE,
                HotspotState.OPEN, T, T.plusSeconds(60))));
        items.add(new Item(Source.HOTSPOTS, TestRecords.hotspot("hs-closed", "gw-2", HotspotType.TX_DROPS,
                HotspotState.CLOSED, T.minusSeconds(3600), T.minusSeconds(1800))));
        items.add(new Item(Source.COMMAND_PROPOSALS, TestRecords.command("cmd-proposed", "gw-1", T.plusSeconds(3))));
        items.add(new Item(Source.COMMAND_PROPOSALS, TestRecords.command("cmd-to-reject", "gw-1", T.plusSeconds(2))));
        items.add(new Item(Source.COMMAND_PROPOSALS, TestRecords.command("cmd-no-key", "gw-1", T.plusSeconds(2))));
        items.add(new Item(Source.COMMANDS, TestRecords.command("cmd-verified", "gw-1", T.plusSeconds(1))));
        items.add(new Item(Source.COMMAND_RESULTS, TestRecords.result("cmd-verified", "gw-1", CommandStatus.APPLIED,
                T.plusSeconds(5))));
        items.add(new Item(Source.COMMAND_OUTCOMES, TestRecords.outcome("cmd-verified", "gw-1", Verdict.VERIFIED,
                T.plusSeconds(65))));
        items.add(new Item(Source.COMMANDS, TestRecords.command("cmd-old", "gw-2", T.minus(Duration.ofDays(2)))));
        new IngestWriter(database.jdbi(), partitions, RowSink.copy()).write(items);
        Rollups rollups = new Rollups(database.jdbi(), partitions, clock);
        for (MetricFamily family : MetricFamily.values()) {
            rollups.rollUp(family, Tier.MINUTE, T, T.plus(Duration.ofMinutes(5)));
        }
    }

    private ApiServer start(DecisionPublisher decisions, ApiListener listener) {
        List<ApiToken> tokens = ApiToken.parseAll("grafana:viewer:" + HexFormat.of().formatHex(ApiToken.hash(VIEWER))
                + ",alice:operator:" + HexFormat.of().formatHex(ApiToken.hash(OPERATOR)));
        Health health = new Health().add("database", () -> null);
        ApiServer server = new ApiServer(new ApiServer.Parts(database.jdbi(), Retention.DEFAULT, Clock.systemUTC(),
                tokens, decisions, health, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))).start(listener);
        servers.add(server);
        return server;
    }

    String httpUrl() {
        return "http://127.0.0.1:" + http.port();
    }

    String withoutKeyUrl() {
        return "http://127.0.0.1:" + withoutKey.port();
    }

    String httpsUrl() {
        return "https://localhost:" + https.port();
    }

    /** The decisions on the command that reached the topic within 20 s. */
    List<CommandDecision> decisionsOn(String commandId) {
        List<CommandDecision> found = new ArrayList<>();
        try (KafkaConsumer<String, CommandDecision> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.get().bootstrapServers(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                topics.commandDecisions.keySerde().deserializer(),
                topics.commandDecisions.valueSerde().deserializer())) {
            // assigned, not subscribed: no group to join on the shared broker
            List<TopicPartition> partitions = consumer.partitionsFor(topics.commandDecisions.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (found.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.value().getCommandId().equals(commandId)) {
                        found.add(r.value());
                    }
                });
            }
        }
        return found;
    }

    @Override
    public void close() {
        servers.forEach(ApiServer::close);
        database.close();
    }
}
