package io.tunnelvision.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.sign.CommandSigner;
import io.tunnelvision.schemas.sign.Ed25519Keys;
import io.tunnelvision.streams.fleet.DecisionCheck;
import io.tunnelvision.streams.topology.GatewaySim;
import io.tunnelvision.streams.topology.KafkaFixture;
import io.tunnelvision.streams.topology.TunnelvisionTopology;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The app's runtime on the real broker: its endpoints from before the start to after the close, the metrics an
 * operator alerts on, and what happens when a stream thread dies of an exception no handler took.
 */
class StreamsRuntimeIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    /** The broker's default group.min.session.timeout.ms. */
    private static final int SESSION_TIMEOUT_MS = 6_000;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static KafkaFixture kafka;

    private final List<StreamsRuntime> runtimes = new ArrayList<>();

    @BeforeAll
    static void broker() {
        kafka = new KafkaFixture();
    }

    @AfterAll
    static void closeBroker() {
        kafka.close();
    }

    @AfterEach
    void close() {
        runtimes.forEach(StreamsRuntime::close);
    }

    @Test
    void theEndpointsAnswerFromBeforeTheStartToAfterTheCloseWithTheMetricsAlertsUse() throws Exception {
        StreamsAppConfig config = config("app");
        StreamsRuntime runtime = runtime(config, new TunnelvisionTopology(config.topics(), config.thresholds(),
                config.policy(), config.plannerSettings(), CommandSigner.of(Ed25519Keys.generate()),
                DecisionCheck.refusingAll()).build());

        // created, not started: alive, not ready
        assertEquals(200, get(runtime, "/health/live").statusCode());
        HttpResponse<String> notYet = get(runtime, "/health/ready");
        assertEquals(503, notYet.statusCode());
        assertTrue(notYet.body().contains("\"state\":\"CREATED\""), notYet.body());
        assertEquals(503, get(runtime, "/health").statusCode());
        assertTrue(get(runtime, "/metrics").body().contains("tunnelvision_streams_ready 0"));

        runtime.start();
        assertTrue(runtime.awaitRunning(WAIT), "not RUNNING: " + runtime.streams().state());
        // a first start creates the internal topics, and the group leader then asks for a follow-up rebalance:
        // RUNNING can turn back to REBALANCING within milliseconds, and readiness rightly follows the state
        awaitStatus(runtime, "/health/ready", 200);
        HttpResponse<String> ready = get(runtime, "/health/ready");
        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(ready.body().startsWith("{\"status\":\"UP\""), ready.body());
        assertEquals("application/json", ready.headers().firstValue("Content-Type").orElse(""));

        GatewaySim sim = new GatewaySim("gw-metrics", 4);
        kafka.txDropsOnTun0(sim, 1000, 6);
        List<ConsumerRecord<String, TuningCommand>> commands = kafka.readUntil(kafka.topics.commands,
                records -> records.stream().anyMatch(r -> "gw-metrics".equals(r.key())), WAIT);
        assertTrue(commands.stream().anyMatch(r -> "gw-metrics".equals(r.key())), "no command for gw-metrics");

        // the binder picks up the tasks' sensors on its next refresh (StreamsRuntime.METRICS_REFRESH)
        String metrics = awaitMetrics(runtime, List.of(
                "kafka_tunnelvision_streams_commands_issued_total\\{[^}]*action=\"TXQUEUELEN\"[^}]*kind=\"change\""
                        + "[^}]*} 1\\.0",
                "kafka_tunnelvision_streams_hotspots_opened_total\\{[^}]*hotspot_type=\"TX_DROPS\"[^}]*scope=\"HOST\"[^}]*}"
                        + " 1\\.0",
                "kafka_tunnelvision_streams_verdicts_total\\{[^}]*verdict=\"ROLLED_BACK\"[^}]*} 0\\.0",
                "kafka_tunnelvision_streams_commands_proposed_total\\{[^}]*action=\"MTU\"[^}]*} 0\\.0",
                "kafka_tunnelvision_streams_hotspots_closed_total\\{[^}]*hotspot_type=\"TX_DROPS\"[^}]*scope=\"FLEET\"[^}]*}"
                        + " 0\\.0",
                "kafka_tunnelvision_gate_decisions_refused_total\\{[^}]*reason=\"bad_signature\"[^}]*} 0\\.0",
                "kafka_consumer_fetch_manager_records_lag_max\\{[^}]*} [0-9.E-]+",
                "kafka_stream_alive_stream_threads\\{[^}]*} 1\\.0",
                "kafka_stream_failed_stream_threads_total\\{[^}]*} 0\\.0",
                "tunnelvision_streams_ready 1\\.0",
                "tunnelvision_streams_live 1\\.0",
                "tunnelvision_streams_uncaught_exceptions_total\\{response=\"replace_thread\"} 0\\.0",
                "jvm_memory_used_bytes\\{[^}]*} [0-9.E]+"));
        assertTrue(!metrics.contains("rocksdb_state_id"), "RocksDB's per-store metrics are left out");

        runtime.streams().close(Duration.ofSeconds(30));
        HttpResponse<String> closed = get(runtime, "/health/ready");
        assertEquals(503, closed.statusCode());
        assertTrue(closed.body().contains("\"state\":\"NOT_RUNNING\""), closed.body());
        assertEquals(503, get(runtime, "/health/live").statusCode());
        assertEquals(KafkaStreams.State.NOT_RUNNING, runtime.awaitTermination());
        assertEquals(405, HTTP.send(HttpRequest.newBuilder(uri(runtime, "/metrics"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(404, get(runtime, "/health/other").statusCode());
    }

    @Test
    void aThreadKilledOnceIsReplacedCountedAndProcessingGoesOnWhileAnOrdinaryExceptionIsDeadLettered()
            throws Exception {
        Poison poison = new Poison("once");
        StreamsRuntime runtime = runtime(config("once"), poison.topology()).start();
        assertTrue(runtime.awaitRunning(WAIT), "not RUNNING: " + runtime.streams().state());
        String firstThread = runtime.health().threads().get(0).name();

        poison.send("a", "exception", "error-once", "b");

        List<String> out = poison.readUntil(List.of("a", "error-once", "b"));
        assertEquals(List.of("a", "error-once", "b"), out,
                "the replaced thread took over from the last commit; the exception went to the dead letters");
        assertEquals(1.0, count(runtime, "replace_thread"));
        assertEquals(0.0, count(runtime, "shutdown_client"));
        awaitStatus(runtime, "/health/ready", 200);
        String thread = runtime.health().threads().get(0).name();
        assertTrue(!thread.equals(firstThread), "still " + firstThread);
        String metrics = get(runtime, "/metrics").body();
        assertSample(metrics, "tunnelvision_streams_uncaught_exceptions_total\\{response=\"replace_thread\"} 1\\.0");
    }

    @Test
    void aRecordThatKeepsKillingThreadsStopsTheClientAfterTheBound() throws Exception {
        Poison poison = new Poison("always");
        StreamsRuntime runtime = runtime(config("always", Map.of(
                "TUNNELVISION_STREAMS_MAX_THREAD_REPLACEMENTS", "2")), poison.topology()).start();
        assertTrue(runtime.awaitRunning(WAIT), "not RUNNING: " + runtime.streams().state());

        poison.send("error-always");

        long deadline = System.nanoTime() + WAIT.toNanos();
        while (runtime.streams().state() != KafkaStreams.State.ERROR && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(KafkaStreams.State.ERROR, runtime.awaitTermination(), "what StreamsMain exits 2 on");
        assertEquals(2.0, count(runtime, "replace_thread"));
        assertEquals(1.0, count(runtime, "shutdown_client"));
        HttpResponse<String> live = get(runtime, "/health/live");
        assertEquals(503, live.statusCode());
        assertTrue(live.body().contains("\"state\":\"ERROR\""), live.body());
    }

    private StreamsAppConfig config(String name) {
        return config(name, Map.of());
    }

    private StreamsAppConfig config(String name, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of(
                "TUNNELVISION_STREAMS_APPLICATION_ID", kafka.namespace + "-" + name,
                "TUNNELVISION_STREAMS_HTTP_BIND", "127.0.0.1",
                "TUNNELVISION_STREAMS_HTTP_PORT", "0"));
        env.putAll(extra);
        return kafka.config(env);
    }

    private StreamsRuntime runtime(StreamsAppConfig config, Topology topology) throws IOException {
        Properties props = StreamsProperties.of(config);
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("tv-runtime-it-").toString());
        // a stream thread that dies does not leave the group: its replacement's rebalance waits for the dead
        // member's session to time out (45 s by default). The broker's minimum keeps the tests' waits short.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), SESSION_TIMEOUT_MS);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), SESSION_TIMEOUT_MS / 3);
        StreamsRuntime runtime = StreamsRuntime.create(config, topology, props, Clock.systemUTC());
        runtimes.add(runtime);
        return runtime;
    }

    private static double count(StreamsRuntime runtime, String response) {
        return runtime.registry().get(ThreadFailurePolicy.METRIC).tag("response", response).counter().count();
    }

    private static URI uri(StreamsRuntime runtime, String path) {
        return URI.create("http://127.0.0.1:" + runtime.httpPort() + path);
    }

    private static HttpResponse<String> get(StreamsRuntime runtime, String path)
            throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(runtime, path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitStatus(StreamsRuntime runtime, String path, int status) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        HttpResponse<String> last = get(runtime, path);
        while (last.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(200);
            last = get(runtime, path);
        }
        assertEquals(status, last.statusCode(), last.body());
    }

    /** The scrape once every sample has a line matching its pattern; fails naming the first that has none. */
    private static String awaitMetrics(StreamsRuntime runtime, List<String> samples) throws Exception {
        List<Pattern> patterns = samples.stream().map(s -> Pattern.compile("(?m)^" + s + "$")).toList();
        long deadline = System.nanoTime() + WAIT.toNanos();
        String body = get(runtime, "/metrics").body();
        while (!allMatch(patterns, body) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            body = get(runtime, "/metrics").body();
        }
        for (String sample : samples) {
            assertSample(body, sample);
        }
        return body;
    }

    private static boolean allMatch(List<Pattern> patterns, String body) {
        return patterns.stream().allMatch(p -> p.matcher(body).find());
    }

    private static void assertSample(String metrics, String regex) {
        Matcher m = Pattern.compile("(?m)^" + regex + "$").matcher(metrics);
        assertTrue(m.find(), "no sample matching " + regex + " in\n" + metrics);
    }

    /**
     * A one-topic topology whose processor throws on poison: "exception" an ordinary exception (the app's
     * processing exception handler dead-letters the record), "error-once" an {@link Error} the first time only,
     * "error-always" an Error every time. Errors pass every handler and kill the stream thread.
     */
    private static final class Poison {

        private final String in = kafka.namespace + ".poison-in-" + UUID.randomUUID().toString().substring(0, 6);
        private final String out = in.replace("poison-in", "poison-out");
        private final AtomicBoolean thrownOnce = new AtomicBoolean();

        Poison(String name) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap))) {
                admin.createTopics(List.of(new NewTopic(in, 1, (short) 1), new NewTopic(out, 1, (short) 1)))
                        .all().get();
            } catch (Exception e) {
                throw new IllegalStateException("cannot create the topics of " + name, e);
            }
        }

        Topology topology() {
            StreamsBuilder builder = new StreamsBuilder();
            builder.stream(in, Consumed.with(Serdes.String(), Serdes.String()))
                    .processValues(() -> new FixedKeyProcessor<String, String, String>() {
                        private FixedKeyProcessorContext<String, String> context;

                        @Override
                        public void init(FixedKeyProcessorContext<String, String> context) {
                            this.context = context;
                        }

                        @Override
                        public void process(FixedKeyRecord<String, String> record) {
                            switch (record.value()) {
                                case "exception" -> throw new IllegalStateException("injected exception");
                                case "error-always" -> throw new InjectedFailure();
                                case "error-once" -> {
                                    if (thrownOnce.compareAndSet(false, true)) {
                                        throw new InjectedFailure();
                                    }
                                }
                                default -> { }
                            }
                            context.forward(record);
                        }
                    })
                    .to(out, Produced.with(Serdes.String(), Serdes.String()));
            return builder.build();
        }

        void send(String... values) {
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap), new StringSerializer(),
                    new StringSerializer())) {
                for (String value : values) {
                    producer.send(new ProducerRecord<>(in, "k", value));
                }
            }
        }

        List<String> readUntil(List<String> expected) {
            List<String> values = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap,
                    ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                    new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of(out));
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (values.size() < expected.size() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                }
            }
            return values;
        }
    }

    /** Stands for what no handler takes: an Error in a processor (an assertion, a linkage error, a stack overflow). */
    private static final class InjectedFailure extends Error {
        InjectedFailure() {
            super("injected failure");
        }
    }
}
