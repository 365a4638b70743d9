package io.tunnelvision.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tunnelvision.api.db.Database;
import io.tunnelvision.config.Env;
import io.tunnelvision.embedded.fixture.PostgresEndpoint;
import io.tunnelvision.embedded.fixture.SharedKafka;
import io.tunnelvision.embedded.fixture.SharedPostgres;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Two whole api instances ({@link ApiRuntime}, as {@code ApiMain} runs them) on one PostgreSQL schema, one consumer
 * group and the real broker: ingest is split between them, no row is stored twice, the partition job runs on one of
 * them only, and when one instance stops the other takes all of ingest over.
 */
class TwoApiInstancesIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration WAIT = Duration.ofSeconds(120);

    private final String bootstrap = SharedKafka.get().bootstrapServers();
    private final Topics topics = Topics.inNamespace("two-api-" + UUID.randomUUID().toString().substring(0, 8));
    private final Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(1_800);
    private int sent;

    @Test
    void ingestIsSplitMaintenanceRunsOnceAndTheSurvivorTakesOver() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            new TopicCreator(admin).ensure(topics.all());
        }
        PostgresEndpoint db = SharedPostgres.get().newSchema("two_api");
        Map<String, String> env = new HashMap<>(Map.of(
                "TUNNELVISION_KAFKA_BOOTSTRAP", bootstrap,
                "TUNNELVISION_TOPIC_NAMESPACE", topics.namespace(),
                "TUNNELVISION_DB_URL", db.jdbcUrl(),
                "TUNNELVISION_DB_USER", db.user(),
                "TUNNELVISION_DB_PASSWORD", db.password(),
                "TUNNELVISION_API_HTTP_HOST", "127.0.0.1",
                "TUNNELVISION_API_CONSUMER_GROUP", topics.namespace() + "-api"));
        try (Producer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new ByteArraySerializer(), new ByteArraySerializer());
             Database database = Database.connect(db.jdbcUrl(), db.user(), db.password())) {
            ApiRuntime first = ApiRuntime.start(config(env));
            boolean firstClosed = false;
            try (ApiRuntime second = ApiRuntime.start(config(env))) {
                // the first ran the partition job at its start; the second found it done
                assertEquals(1.0, metric(first, "tunnelvision_api_maintenance_runs_total",
                        "outcome=\"ran\",task=\"partitions\""));
                assertEquals(0.0, metric(second, "tunnelvision_api_maintenance_runs_total",
                        "outcome=\"ran\",task=\"partitions\""));
                assertEquals(1.0, metric(second, "tunnelvision_api_maintenance_runs_total",
                        "outcome=\"not_due\",task=\"partitions\""));

                // records for 24 gateways, over all 12 partitions, until both instances have stored some
                Await.until(WAIT, () -> {
                    send(producer, 24);
                    return written(first) > 0 && written(second) > 0;
                }, both -> both, "both instances storing records of their partitions");
                producer.flush();
                long expected = 2L * sent;
                Await.until(WAIT, () -> TestDatabase.count(database, "SELECT count(*) FROM link_rates"),
                        c -> c == expected, expected + " rows");
                // a batch whose offsets the rebalance took from one instance before its commit is read and written
                // again by the other: the counters may add up to more than was sent, the rows may not
                Await.until(WAIT, () -> written(first) + written(second), w -> w >= sent,
                        "the two instances' written records cover what was sent");

                // one instance goes: the other gets its partitions and stores what follows
                first.close();
                firstClosed = true;
                double secondBefore = written(second);
                int before = sent;
                send(producer, 240);
                producer.flush();
                long all = 2L * sent;
                Await.until(WAIT, () -> TestDatabase.count(database, "SELECT count(*) FROM link_rates"),
                        c -> c == all, all + " rows after the first instance stopped");
                Await.until(WAIT, () -> written(second) - secondBefore, w -> w >= sent - before,
                        "the survivor stored every record sent after the other stopped");
                assertEquals(24L, TestDatabase.count(database, "SELECT count(*) FROM hosts"));
                Thread.sleep(500);
                assertEquals(all, TestDatabase.count(database, "SELECT count(*) FROM link_rates"), "and no more");
            } finally {
                if (!firstClosed) {
                    first.close();
                }
            }
        }
    }

    /** The shared settings and a free port of its own. */
    private static ApiConfig config(Map<String, String> shared) throws IOException {
        Map<String, String> env = new HashMap<>(shared);
        try (ServerSocket free = new ServerSocket(0)) {
            env.put("TUNNELVISION_API_HTTP_PORT", Integer.toString(free.getLocalPort()));
        }
        return new ApiConfig(new Env(env));
    }

    private void send(Producer<byte[], byte[]> producer, int records) {
        for (int k = 0; k < records; k++) {
            int s = sent++;
            String host = "gw-" + (s % 24);
            producer.send(new ProducerRecord<>(topics.linkRates.name(), host.getBytes(StandardCharsets.UTF_8),
                    topics.linkRates.valueSerde().serializer().serialize(topics.linkRates.name(),
                            TestRecords.link(host, t0.plusSeconds(s / 24), s, s, "tun0", "eth0"))));
        }
        producer.flush();
    }

    private static double written(ApiRuntime api) {
        return metric(api, "tunnelvision_ingest_records_total", "result=\"written\"");
    }

    /** One sample of the instance's /metrics, or 0 when the series is not there (yet). */
    private static double metric(ApiRuntime api, String name, String labels) {
        String body;
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + api.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            body = response.body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Matcher m = Pattern.compile("(?m)^" + name + "\\{" + Pattern.quote(labels) + "} (\\S+)$").matcher(body);
        return m.find() ? Double.parseDouble(m.group(1)) : 0.0;
    }
}
