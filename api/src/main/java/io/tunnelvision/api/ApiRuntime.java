package io.tunnelvision.api;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tunnelvision.api.alert.Alerts;
import io.tunnelvision.api.db.Database;
import io.tunnelvision.api.db.DatabaseState;
import io.tunnelvision.api.db.MaintenanceLock;
import io.tunnelvision.api.db.PartitionMaintenance;
import io.tunnelvision.api.db.RowSink;
import io.tunnelvision.api.db.Rollups;
import io.tunnelvision.api.http.ApiServer;
import io.tunnelvision.api.http.DecisionPublisher;
import io.tunnelvision.api.http.Health;
import io.tunnelvision.api.http.KafkaDecisionPublisher;
import io.tunnelvision.api.ingest.Backoff;
import io.tunnelvision.api.ingest.IngestConsumer;
import io.tunnelvision.api.ingest.IngestWriter;
import io.tunnelvision.api.metrics.FleetGauges;
import io.tunnelvision.schemas.sign.DecisionSigner;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The api's running parts, assembled from its settings: the database schema brought up to date, the partition and
 * rollup jobs, the ingest consumer and the HTTP API. {@link ApiMain} runs one until the process stops; the local
 * system runs one beside the other parts and closes it again.
 */
public final class ApiRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ApiRuntime.class);
    // Raw partitions are hourly: a quarter-hour cadence drops each one at most 15 minutes late.
    private static final Duration PARTITION_EVERY = Duration.ofMinutes(15);
    private static final Duration ROLLUP_EVERY = Duration.ofMinutes(1);
    // tunnelvision_api_database_up follows an outage within this, even when nothing is being ingested
    private static final Duration PROBE_EVERY = Duration.ofSeconds(5);
    // the fleet gauges of /metrics: aggregate queries, so not at every scrape
    private static final Duration FLEET_GAUGES_EVERY = Duration.ofSeconds(30);

    private final Database database;
    private final ScheduledExecutorService jobs;
    private final ScheduledExecutorService probes;
    private final ScheduledExecutorService gauges;
    private final IngestConsumer ingest;
    private final Thread ingestThread;
    private final DecisionPublisher decisions;
    private final Admin admin;
    private final ApiServer server;
    private final Alerts alerts;

    private ApiRuntime(ApiConfig config) throws InterruptedException {
        // first: a key that cannot be read stops the api before anything is started
        Optional<DecisionSigner> decisionSigner = config.decisionKeyFile().map(DecisionSigner::fromFile);
        this.database = Database.pooled(config.dbUrl(), config.dbUser(), config.dbPassword(), config.dbPoolSize(),
                config.dbTimeouts());
        migrate(database);

        Clock clock = Clock.systemUTC();
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(metrics);
        new JvmGcMetrics().bindTo(metrics);
        new JvmThreadMetrics().bindTo(metrics);
        new ProcessorMetrics().bindTo(metrics);

        DatabaseState databaseState = new DatabaseState(clock).bindTo(metrics);
        PartitionMaintenance partitions = new PartitionMaintenance(database.jdbi(), config.retention(), clock,
                config.maxFuture());
        Rollups rollups = new Rollups(database.jdbi(), partitions, clock);
        // Shared with any other api instance on this schema: each job runs on one instance at a time, once per
        // interval between them.
        MaintenanceLock maintenance = new MaintenanceLock(database.jdbi(), instanceName(), metrics);
        Runnable partitionJob = guarded("partition maintenance",
                () -> maintenance.runIfDue("partitions", PARTITION_EVERY, partitions::run));
        Runnable rollupJob = guarded("rollups", () -> maintenance.runIfDue("rollups", ROLLUP_EVERY, rollups::runOnce));
        // the first partition run before ingest starts: rows of this hour need their partition (when another
        // instance holds the job, it is making them; ingest also makes the partition of every row it stores)
        partitionJob.run();
        this.jobs = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "api-jobs"));
        jobs.scheduleWithFixedDelay(partitionJob, PARTITION_EVERY.toSeconds(), PARTITION_EVERY.toSeconds(),
                TimeUnit.SECONDS);
        jobs.scheduleWithFixedDelay(rollupJob, ROLLUP_EVERY.toSeconds(), ROLLUP_EVERY.toSeconds(), TimeUnit.SECONDS);
        // Its own thread: a probe of an unreachable server waits out the pool timeout, which must not delay the jobs.
        this.probes = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "api-database-probe"));
        probes.scheduleWithFixedDelay(() -> databaseState.probe(database.jdbi()), 0, PROBE_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
        // and its own thread again: the aggregates of a large fleet take a while, a blackholed server far longer
        FleetGauges fleetGauges = new FleetGauges(database.jdbi(), metrics, clock);
        this.gauges = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "api-fleet-gauges"));
        gauges.scheduleWithFixedDelay(guarded("fleet gauges", fleetGauges::refresh), 0,
                FLEET_GAUGES_EVERY.toMillis(), TimeUnit.MILLISECONDS);

        // alert events are derived by ingest in its transactions; the senders and the silence job start with it
        this.alerts = new Alerts(database.jdbi(), config.alerts(), metrics, clock);
        KafkaClients kafka = new KafkaClients(config.kafkaBootstrap(), config.kafkaSecurity().clientProperties());
        this.ingest = new IngestConsumer(kafka.ingestConsumer(config.consumerGroup()), kafka.deadLetterProducer(),
                config.topics(), new IngestWriter(database.jdbi(), partitions, RowSink.multiRowInsert(), databaseState,
                        alerts.recorder()),
                new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30)), metrics);
        this.ingestThread = new Thread(ingest, "api-ingest");
        ingestThread.start();
        alerts.start();

        this.admin = kafka.admin();
        Health health = new Health()
                .add("database", () -> databaseState.probe(database.jdbi()))
                .addNotNeededForReady("kafka", () -> kafkaProblem(admin));
        this.decisions = decisionPublisher(config, decisionSigner, kafka);
        this.server = new ApiServer(new ApiServer.Parts(database.jdbi(), config.retention(), clock, config.tokens(),
                decisions, health, metrics)).start(config.listener());
    }

    /** Starts every part; waits for the database first, as ingest does later: the api is useless without its schema. */
    public static ApiRuntime start(ApiConfig config) throws InterruptedException {
        return new ApiRuntime(config);
    }

    public int port() {
        return server.port();
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
        probes.shutdownNow();
        gauges.shutdownNow();
        alerts.close();
        if (decisions instanceof KafkaDecisionPublisher kafkaDecisions) {
            kafkaDecisions.close();
        }
        admin.close(Duration.ofSeconds(5));
        database.close();
    }

    /** Decisions signed with the api's key, or none at all: an unsigned decision would only be refused by the gate. */
    private static DecisionPublisher decisionPublisher(ApiConfig config, Optional<DecisionSigner> decisionSigner,
                                                       KafkaClients kafka) {
        if (decisionSigner.isEmpty()) {
            LOG.warn("{} is empty: approve and reject will answer 503", ApiConfig.DECISION_KEY_FILE.env());
            return DecisionPublisher.withoutKey("no decision key (" + ApiConfig.DECISION_KEY_FILE.env() + ")");
        }
        DecisionSigner signer = decisionSigner.get();
        LOG.info("Decisions are signed with api key {} ({})", signer.keyId(), config.decisionKeyFile().get());
        return new KafkaDecisionPublisher(kafka.decisionProducer(config.topics().commandDecisions),
                config.topics().commandDecisions, signer);
    }

    private static void migrate(Database database) throws InterruptedException {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));
        while (true) {
            try {
                Database.Migration migration = database.migrate();
                LOG.info("Database schema {} is at version {} ({} migration(s) applied now)", migration.schema(),
                        migration.version(), migration.applied());
                return;
            } catch (RuntimeException e) {
                Duration wait = backoff.next();
                LOG.warn("Cannot migrate the database yet ({}); retrying in {} ms", e.getMessage(), wait.toMillis());
                Thread.sleep(wait.toMillis());
            }
        }
    }

    private static String kafkaProblem(Admin admin) {
        try {
            int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(2_000)).nodes()
                    .get(3, TimeUnit.SECONDS).size();
            return nodes > 0 ? null : "no broker answered";
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    private static Runnable guarded(String name, Runnable job) {
        return () -> {
            try {
                job.run();
            } catch (RuntimeException e) {
                // A failed run (database down) must not cancel the schedule; the next run catches up.
                LOG.warn("{} failed: {}", name, e.getMessage());
            }
        };
    }

    /** This process as the other instances see it in {@code maintenance_runs}: pid@host. */
    private static String instanceName() {
        return java.lang.management.ManagementFactory.getRuntimeMXBean().getName();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
