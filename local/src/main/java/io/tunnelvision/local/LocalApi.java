package io.tunnelvision.local;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tunnelvision.api.ApiConfig;
import io.tunnelvision.api.KafkaClients;
import io.tunnelvision.api.db.Database;
import io.tunnelvision.api.db.PartitionMaintenance;
import io.tunnelvision.api.db.RowSink;
import io.tunnelvision.api.db.Rollups;
import io.tunnelvision.api.http.ApiServer;
import io.tunnelvision.api.http.Health;
import io.tunnelvision.api.http.KafkaDecisionPublisher;
import io.tunnelvision.api.ingest.Backoff;
import io.tunnelvision.api.ingest.IngestConsumer;
import io.tunnelvision.api.ingest.IngestWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The api's parts as {@code ApiMain} assembles them (schema migration, partition and rollup jobs, ingest
 * consumer, HTTP API), but in a form that can be closed again, for the one-process local system.
 */
final class LocalApi implements AutoCloseable {

    private final Database database;
    private final ScheduledExecutorService jobs;
    private final IngestConsumer ingest;
    private final Thread ingestThread;
    private final KafkaDecisionPublisher decisions;
    private final ApiServer server;

    LocalApi(ApiConfig config) {
        this.database = Database.pooled(config.dbUrl(), config.dbUser(), config.dbPassword(), config.dbPoolSize());
        database.migrate();
        Clock clock = Clock.systemUTC();
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PartitionMaintenance partitions = new PartitionMaintenance(database.jdbi(), config.retention(), clock);
        Rollups rollups = new Rollups(database.jdbi(), partitions, clock);
        partitions.run();
        this.jobs = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "api-jobs");
            t.setDaemon(true);
            return t;
        });
        jobs.scheduleWithFixedDelay(quietly(partitions::run), 15, 15, TimeUnit.MINUTES);
        jobs.scheduleWithFixedDelay(quietly(rollups::runOnce), 1, 1, TimeUnit.MINUTES);
        KafkaClients kafka = new KafkaClients(config.kafkaBootstrap());
        this.ingest = new IngestConsumer(kafka.ingestConsumer(config.consumerGroup()), kafka.deadLetterProducer(),
                config.topics(), new IngestWriter(database.jdbi(), partitions, RowSink.multiRowInsert()),
                new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30)), metrics);
        this.ingestThread = new Thread(ingest, "api-ingest");
        ingestThread.setDaemon(true);
        ingestThread.start();
        Health health = new Health().add("database", () -> database.jdbi().withHandle(
                h -> h.createQuery("SELECT 1").mapTo(Integer.class).one()) == 1 ? null : "unexpected answer");
        this.decisions = new KafkaDecisionPublisher(kafka.decisionProducer(config.topics().commandDecisions),
                config.topics().commandDecisions);
        this.server = new ApiServer(new ApiServer.Parts(database.jdbi(), config.retention(), clock, config.tokens(),
                decisions, health, metrics)).start(config.httpPort());
    }

    int port() {
        return server.port();
    }

    private static Runnable quietly(Runnable job) {
        return () -> {
            try {
                job.run();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(LocalApi.class).warn("api job failed: {}", e.getMessage());
            }
        };
    }

    @Override
    public void close() {
        server.close();
        ingest.close();
        try {
            ingestThread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        jobs.shutdownNow();
        decisions.close();
        database.close();
    }
}
