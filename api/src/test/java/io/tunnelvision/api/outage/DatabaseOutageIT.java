package io.tunnelvision.api.outage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.api.ApiConfig;
import io.tunnelvision.api.ApiRuntime;
import io.tunnelvision.api.Await;
import io.tunnelvision.api.TestRecords;
import io.tunnelvision.api.db.Database;
import io.tunnelvision.config.Env;
import io.tunnelvision.config.KafkaSettings;
import io.tunnelvision.embedded.EmbeddedPostgresServer;
import io.tunnelvision.embedded.fixture.SharedKafka;
import io.tunnelvision.schemas.topic.TopicCreator;
import io.tunnelvision.schemas.topic.Topics;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole api (ingest, HTTP, probes) against a PostgreSQL of its own behind a TCP proxy, under steady load from
 * the real broker, through two kinds of outage: the server stopped (connections refused at once) and the network
 * blackholed (connections accepted, nothing answered). During each, the api must time out within its settings,
 * back off, pause consumption, say so in {@code /metrics} and {@code /health/ready} while {@code /health/live} stays
 * up; after it, every record sent must be stored exactly once.
 *
 * <p>The outage lasts {@code -Dtunnelvision.outage.seconds} (default 8 s; 300 s with {@code -Dtunnelvision.long=true}
 * or the {@code long} profile, the length the fault-injection issue asks for).
 */
class DatabaseOutageIT {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseOutageIT.class);
    private static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("tunnelvision.outage.seconds",
            Boolean.getBoolean("tunnelvision.long") ? 300 : 8));
    private static final int HOSTS = 5;
    // Short on purpose so the test proves they bound the waits; the defaults are in ApiConfig.
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration POOL_TIMEOUT = Duration.ofSeconds(1);

    private final String bootstrap = SharedKafka.get().bootstrapServers();
    private final Topics topics = Topics.inNamespace("outage-" + UUID.randomUUID().toString().substring(0, 8));
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(50));
    private final AtomicBoolean producing = new AtomicBoolean(true);
    private final AtomicInteger sent = new AtomicInteger();
    private EmbeddedPostgresServer postgres;
    private BlackholeProxy proxy;
    private Producer<byte[], byte[]> producer;
    private ApiRuntime api;
    private Database verifier;
    private Thread load;
    private Instant loadStarted;
    private String base;

    @BeforeEach
    void start() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            new TopicCreator(admin).ensure(topics.all());
        }
        postgres = new EmbeddedPostgresServer().start();
        proxy = new BlackholeProxy(postgres.port());
        String schema = "outage_" + UUID.randomUUID().toString().substring(0, 8);
        String viaProxy = "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/postgres?currentSchema=" + schema;
        int port = freePort();
        Map<String, String> vars = new HashMap<>();
        vars.put(KafkaSettings.BOOTSTRAP.env(), bootstrap);
        vars.put(KafkaSettings.TOPIC_NAMESPACE.env(), topics.namespace());
        vars.put(ApiConfig.CONSUMER_GROUP.env(), "outage-it-" + schema);
        vars.put(ApiConfig.DB_URL.env(), viaProxy);
        vars.put(ApiConfig.DB_USER.env(), postgres.user());
        vars.put(ApiConfig.DB_PASSWORD.env(), postgres.password());
        vars.put(ApiConfig.HTTP_HOST.env(), "127.0.0.1");
        vars.put(ApiConfig.HTTP_PORT.env(), Integer.toString(port));
        vars.put(ApiConfig.DB_CONNECT_TIMEOUT.env(), CONNECT_TIMEOUT.toSeconds() + "s");
        vars.put(ApiConfig.DB_SOCKET_TIMEOUT.env(), SOCKET_TIMEOUT.toSeconds() + "s");
        vars.put(ApiConfig.DB_STATEMENT_TIMEOUT.env(), "2s");
        vars.put(ApiConfig.DB_POOL_TIMEOUT.env(), POOL_TIMEOUT.toMillis() + "ms");
        api = ApiRuntime.start(new ApiConfig(new Env(vars)));
        base = "http://127.0.0.1:" + api.port();
        // The test counts rows on a connection of its own, straight to the server, never through the proxy.
        verifier = Database.connect(postgres.jdbcUrl("postgres") + "?currentSchema=" + schema, postgres.user(),
                postgres.password());

        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false, ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1),
                new ByteArraySerializer(), new ByteArraySerializer());
        load = new Thread(this::produce, "outage-load");
        loadStarted = Instant.now();
        load.start();
        Await.until(Duration.ofSeconds(60), () -> rows(), c -> c > 500, "rows flowing before the outage");
        assertEquals(200, get("/health/ready").statusCode(), get("/health/ready").body());
    }

    @AfterEach
    void stop() throws Exception {
        producing.set(false);
        if (load != null) {
            load.join(10_000);
        }
        if (api != null) {
            api.close();
        }
        if (producer != null) {
            producer.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (verifier != null) {
            verifier.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void aStoppedDatabaseUnderLoadLosesNoRowAndDoublesNone() throws Exception {
        double retriesBefore = metric("tunnelvision_ingest_retries_total");

        postgres.stop();
        Instant stopped = Instant.now();
        Await.until(Duration.ofSeconds(15), () -> get("/health/ready").statusCode(), s -> s == 503,
                "not ready while PostgreSQL is stopped");
        assertOutageVisible(retriesBefore);
        sleepUntil(stopped.plus(OUTAGE));
        postgres.start();

        assertEverythingStoredOnce(Duration.between(stopped, Instant.now()));
    }

    @Test
    void aBlackholedDatabaseTimesOutWithinTheSettingsAndLosesNothingOnceItAnswersAgain() throws Exception {
        double retriesBefore = metric("tunnelvision_ingest_retries_total");

        proxy.blackhole();
        Instant cut = Instant.now();
        // The write under way waits out the socket timeout, a new connection the pool's: then ingest backs off.
        Duration bound = SOCKET_TIMEOUT.plus(CONNECT_TIMEOUT).plus(Duration.ofSeconds(5));
        Await.until(bound, () -> metric("tunnelvision_ingest_retries_total"), r -> r > retriesBefore,
                "ingest to give up on the blackholed write within " + bound);
        Duration toFirstRetry = Duration.between(cut, Instant.now());
        Await.until(bound, () -> get("/health/ready").statusCode(), s -> s == 503,
                "not ready while PostgreSQL does not answer");
        Duration toNotReady = Duration.between(cut, Instant.now());
        assertOutageVisible(retriesBefore);
        LOG.info("Blackhole: first retry after {} ms, not ready after {} ms", toFirstRetry.toMillis(),
                toNotReady.toMillis());
        sleepUntil(cut.plus(OUTAGE));
        proxy.forward();

        assertEverythingStoredOnce(Duration.between(cut, Instant.now()));
    }

    private void assertOutageVisible(double retriesBefore) throws Exception {
        assertEquals(200, get("/health/live").statusCode(), "live stays up: restarting the api would not help");
        Await.until(Duration.ofSeconds(15), () -> metric("tunnelvision_api_database_up"), v -> v == 0.0,
                "tunnelvision_api_database_up to fall to 0");
        Await.until(Duration.ofSeconds(15), () -> metric("tunnelvision_ingest_paused"), v -> v == 1.0,
                "consumption to pause");
        assertTrue(metric("tunnelvision_ingest_retries_total") > retriesBefore);
        long pending = (long) metric("tunnelvision_ingest_pending");
        assertTrue(pending <= 2 * 5_000, "at most two polls held while paused, not " + pending);
    }

    private void assertEverythingStoredOnce(Duration outage) throws Exception {
        Await.until(Duration.ofSeconds(60), () -> get("/health/ready").statusCode(), s -> s == 200,
                "ready again once PostgreSQL answers");
        long sentDuringOutage = sent.get();
        Thread.sleep(1_000);
        producing.set(false);
        load.join(10_000);
        producer.flush();
        int records = sent.get();
        long expected = 2L * records; // two interfaces per record
        Await.until(Duration.ofSeconds(90), this::rows, c -> c == expected,
                expected + " rows (2 interfaces x " + records + " records)");
        Thread.sleep(1_000);
        assertEquals(expected, rows(), "and no more");
        long perHostDistinct = verifier.jdbi().withHandle(h -> h.createQuery(
                "SELECT count(DISTINCT (host_key, iface, ts)) FROM link_rates").mapTo(Long.class).one());
        assertEquals(expected, perHostDistinct, "no row twice");
        assertEquals(0.0, metric("tunnelvision_ingest_records_total{result=\"dead-lettered\""),
                "an outage is no reason to dead-letter anything");
        Await.until(Duration.ofSeconds(15), () -> metric("tunnelvision_api_database_up"), v -> v == 1.0,
                "tunnelvision_api_database_up back to 1");
        assertEquals(0.0, metric("tunnelvision_ingest_paused"));
        assertTrue(metric("tunnelvision_ingest_last_write_age_seconds") < 30);
        double perSecond = records / (Duration.between(loadStarted, Instant.now()).toMillis() / 1000.0);
        LOG.info("Outage of {} ms (asked {} s) under load of {} records/s: {} records sent ({} by the end of the"
                + " outage), {} rows stored, 0 lost, 0 duplicated, {} ingest retries", outage.toMillis(),
                OUTAGE.toSeconds(), Math.round(perSecond), records, sentDuringOutage, rows(),
                (long) metric("tunnelvision_ingest_retries_total"));
    }

    /** 5 hosts, about 250 records a second; every tenth is published twice, as a producer retry would. */
    private void produce() {
        while (producing.get()) {
            int s = sent.get();
            String host = "gw-" + (s % HOSTS);
            byte[] value = topics.linkRates.valueSerde().serializer().serialize(topics.linkRates.name(),
                    TestRecords.link(host, t0.plusMillis(100L * (s / HOSTS)), s / HOSTS, s, "tun0", "eth0"));
            byte[] key = host.getBytes(StandardCharsets.UTF_8);
            producer.send(new ProducerRecord<>(topics.linkRates.name(), key, value));
            if (s % 10 == 0) {
                producer.send(new ProducerRecord<>(topics.linkRates.name(), key, value));
            }
            sent.incrementAndGet();
            try {
                Thread.sleep(4);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private long rows() {
        return verifier.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM link_rates")
                .mapTo(Long.class).one());
    }

    private HttpResponse<String> get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The value of the first series in /metrics whose line starts with {@code prefix} (a name, or name{labels). */
    private double metric(String prefix) {
        String body = get("/metrics").body();
        for (String line : body.split("\n")) {
            if (line.startsWith(prefix + " ") || line.startsWith(prefix + "{")
                    || (prefix.contains("{") && line.startsWith(prefix))) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no " + prefix + " in /metrics");
    }

    private static void sleepUntil(Instant when) throws InterruptedException {
        long ms = Duration.between(Instant.now(), when).toMillis();
        if (ms > 0) {
            Thread.sleep(ms);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
