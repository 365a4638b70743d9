package io.tunnelvision.streams.topology;

import io.tunnelvision.config.Env;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.embedded.fixture.SharedKafka;
import io.tunnelvision.schemas.sign.CommandSigner;
import io.tunnelvision.schemas.topic.Topic;
import io.tunnelvision.schemas.topic.TopicCreator;
import io.tunnelvision.schemas.topic.Topics;
import io.tunnelvision.streams.StreamsAppConfig;
import io.tunnelvision.streams.StreamsProperties;
import io.tunnelvision.streams.fleet.DecisionCheck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/** Topics in a fresh namespace on the shared broker, streams instances of the app, and typed produce/consume. */
public final class KafkaFixture implements AutoCloseable {

    public final String bootstrap = SharedKafka.get().bootstrapServers();
    public final String namespace = "it-" + UUID.randomUUID().toString().substring(0, 8);
    public final Topics topics = Topics.inNamespace(namespace);
    private final List<KafkaStreams> instances = new ArrayList<>();
    private final KafkaProducer<String, byte[]> producer;

    public KafkaFixture() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            new TopicCreator(admin).ensure(topics.all());
            awaitLeaders(admin);
        }
        // one request in flight keeps each partition in order through retries without idempotence, whose
        // sequence numbers have stuck this producer in an OUT_OF_ORDER_SEQUENCE_NUMBER loop on new topics
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1), new StringSerializer(),
                new ByteArraySerializer());
    }

    /**
     * Waits until every partition has a leader, so that the first sends do not start with a storm of
     * NOT_LEADER_OR_FOLLOWER retries.
     */
    private void awaitLeaders(Admin admin) {
        List<String> names = topics.all().stream().<String>map(Topic::name).toList();
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            try {
                boolean ready = admin.describeTopics(names).allTopicNames().get().values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
                if (ready) {
                    return;
                }
            } catch (java.util.concurrent.ExecutionException e) {
                // not known to the broker yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("topics of " + namespace + " have no leaders after 30 s");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** The app's config for this namespace, planner in auto mode unless {@code extra} says otherwise. */
    public StreamsAppConfig config(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of(
                "TUNNELVISION_KAFKA_BOOTSTRAP", bootstrap,
                "TUNNELVISION_TOPIC_NAMESPACE", namespace,
                "TUNNELVISION_STREAMS_APPLICATION_ID", namespace + "-streams",
                "TUNNELVISION_STREAMS_STATE_DIR", tempDir(),
                "TUNNELVISION_STREAMS_PLANNER_MODE", "auto",
                "TUNNELVISION_STREAMS_COMMIT_INTERVAL", "100ms",
                "TUNNELVISION_STREAMS_MAX_UNVERIFIED", "100"));
        env.putAll(extra);
        return new StreamsAppConfig(new Env(env));
    }

    /** Starts one instance; several with the same config share the application id (and the work). */
    public KafkaStreams start(StreamsAppConfig config, CommandSigner signer) {
        return start(config, signer, DecisionCheck.refusingAll());
    }

    /** Starts one instance whose gate acts on the decisions {@code decisions} accepts. */
    public KafkaStreams start(StreamsAppConfig config, CommandSigner signer, DecisionCheck decisions) {
        Properties props = StreamsProperties.of(config);
        props.put(StreamsConfig.STATE_DIR_CONFIG, tempDir());
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 2000);
        KafkaStreams streams = new KafkaStreams(new TunnelvisionTopology(config.topics(), config.thresholds(),
                config.policy(), config.plannerSettings(), signer, decisions).build(), props);
        instances.add(streams);
        streams.start();
        return streams;
    }

    public static void awaitRunning(KafkaStreams... all) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 90_000;
        for (KafkaStreams streams : all) {
            while (streams.state() != KafkaStreams.State.RUNNING) {
                if (System.currentTimeMillis() > deadline) {
                    throw new AssertionError("streams not RUNNING: " + streams.state());
                }
                Thread.sleep(100);
            }
        }
    }

    public <V> void send(Topic<String, V> topic, String key, V value, long timestampMs) {
        producer.send(new ProducerRecord<>(topic.name(), null, timestampMs, key,
                topic.valueSerde().serializer().serialize(topic.name(), value)));
    }

    /** As {@link Harness#txDropsOnTun0}, on the broker: tun0 with {@code txQueueLen}, then tx drops, flushed. */
    public void txDropsOnTun0(GatewaySim sim, int txQueueLen, int intervals) {
        send(topics.interfaceConfigSamples, sim.host(), sim.interfaces(GatewaySim.tunnel("tun0",
                InterfaceKind.TUN, 1400, txQueueLen, "0", "eth0"), GatewaySim.physical("eth0", 1500)), sim.timeMs());
        for (int i = 0; i < intervals; i++) {
            send(topics.interruptSamples, sim.host(), sim.interrupts(2000, 0, 0.5, 0.1), sim.timeMs());
            send(topics.linkSamples, sim.host(), sim.link("tun0", 40, 0), sim.timeMs());
            sim.step();
        }
        flush();
    }

    public void sendRaw(String topic, String key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, key, value));
    }

    public void flush() {
        producer.flush();
    }

    /** Reads committed records from the start of {@code topic} until {@code done} holds or the timeout passes. */
    public <K, V> List<ConsumerRecord<K, V>> readUntil(Topic<K, V> topic, Predicate<List<ConsumerRecord<K, V>>> done,
                                                       Duration timeout) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<K, V>> records = new ArrayList<>();
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(props, topic.keySerde().deserializer(),
                topic.valueSerde().deserializer())) {
            consumer.subscribe(List.of(topic.name()));
            long deadline = System.currentTimeMillis() + timeout.toMillis();
            while (!done.test(records) && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    private static String tempDir() {
        try {
            return Files.createTempDirectory("tv-streams-it-").toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (KafkaStreams streams : instances) {
            streams.close(Duration.ofSeconds(20));
        }
        producer.close();
    }
}
