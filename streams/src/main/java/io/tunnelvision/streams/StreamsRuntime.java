package io.tunnelvision.streams;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tunnelvision.streams.http.StreamsHealth;
import io.tunnelvision.streams.http.StreamsHttpServer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started Kafka Streams client with what an operator watches: the uncaught-exception policy
 * ({@link ThreadFailurePolicy}), its metrics and the app's own in one Prometheus registry, and the HTTP endpoints
 * ({@link StreamsHttpServer}), which answer from before the start (live, not ready) to after the close (neither).
 * {@link StreamsMain} runs the app's topology in one; tests run theirs.
 */
public final class StreamsRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsRuntime.class);
    /**
     * How often the binder looks for Kafka metrics that appeared since (a task's sensors, a new thread's clients):
     * the default minute would hide a new thread's metrics for as long. Each look copies the client's metric map,
     * a few thousand entries: nothing at this cadence.
     */
    static final Duration METRICS_REFRESH = Duration.ofSeconds(10);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaStreams streams;
    private final PrometheusMeterRegistry registry;
    private final ScheduledExecutorService binderScheduler;
    private final KafkaStreamsMetrics kafkaMetrics;
    private final StreamsHttpServer http;
    private final CountDownLatch running = new CountDownLatch(1);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final AtomicReference<KafkaStreams.State> terminalState = new AtomicReference<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean reachedRunning = new AtomicBoolean();

    private StreamsRuntime(StreamsAppConfig config, Topology topology, Properties properties, Clock clock) {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // RocksDB's per-store metrics are per store and task: about 9,000 of the 14,000 series of one instance with
        // the default 12 partitions (1.8 of 2.7 MB per scrape). They stay on JMX; the restore and cache metrics stay.
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().startsWith("kafka.stream.state.")
                && id.getTag("rocksdb.state.id") != null));
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);

        this.streams = new KafkaStreams(topology, properties);
        streams.setUncaughtExceptionHandler(new ThreadFailurePolicy(config.maxThreadReplacements(),
                config.threadReplacementWindow(), clock, registry));
        streams.setStateListener(this::onStateChange);

        this.binderScheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "streams-metrics-binder");
            t.setDaemon(true);
            return t;
        });
        this.kafkaMetrics = new KafkaStreamsMetrics(streams, List.of(), binderScheduler, METRICS_REFRESH);
        kafkaMetrics.bindTo(registry);
        Gauge.builder("tunnelvision.streams.live", this, r -> r.health().live() ? 1 : 0)
                .description("1 while the client runs and none of its stream threads died (see /health/live)")
                .register(registry);
        Gauge.builder("tunnelvision.streams.ready", this, r -> r.health().ready() ? 1 : 0)
                .description("1 while the client is RUNNING: tasks assigned, restored and processing (see"
                        + " /health/ready)")
                .register(registry);

        try {
            this.http = StreamsHttpServer.start(config.httpAddress(), registry::scrape, this::health);
        } catch (RuntimeException e) {
            kafkaMetrics.close();
            binderScheduler.shutdownNow();
            streams.close(Duration.ZERO);
            throw e;
        }
        LOG.info("Serving /metrics and /health on {}:{}", config.httpAddress().getAddress().getHostAddress(),
                http.port());
    }

    /**
     * The client for {@code topology} with {@code properties}, its endpoints already serving (live, not ready):
     * call {@link #start()}.
     */
    public static StreamsRuntime create(StreamsAppConfig config, Topology topology, Properties properties,
                                        Clock clock) {
        return new StreamsRuntime(config, topology, properties, clock);
    }

    public StreamsRuntime start() {
        streams.start();
        return this;
    }

    private void onStateChange(KafkaStreams.State now, KafkaStreams.State before) {
        if (now == KafkaStreams.State.ERROR) {
            LOG.error("Streams state {} -> {}", before, now);
        } else {
            LOG.info("Streams state {} -> {}", before, now);
        }
        if (now == KafkaStreams.State.RUNNING) {
            reachedRunning.set(true);
            running.countDown();
        }
        if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
            terminalState.compareAndSet(null, now);
            terminated.countDown();
            // nobody waits for a start that will not come
            running.countDown();
        }
    }

    public StreamsHealth health() {
        return StreamsHealth.of(streams);
    }

    /** True once the client reached RUNNING within {@code timeout}; false at once if it ended before. */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        running.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return reachedRunning.get();
    }

    /** Blocks until the client is ERROR (given up: exit non-zero) or NOT_RUNNING (closed), and returns which. */
    public KafkaStreams.State awaitTermination() throws InterruptedException {
        terminated.await();
        return terminalState.get();
    }

    public KafkaStreams streams() {
        return streams;
    }

    public int httpPort() {
        return http.port();
    }

    /** The registry {@code /metrics} renders. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Closes the client, then the endpoints: a probe during the close sees 503. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        streams.close(CLOSE_TIMEOUT);
        kafkaMetrics.close();
        binderScheduler.shutdownNow();
        http.close();
        registry.close();
    }
}
