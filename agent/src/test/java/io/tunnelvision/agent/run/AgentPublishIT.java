package io.tunnelvision.agent.run;

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
import io.tunnelvision.embedded.fixture.SharedKafka;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.topic.Topic;
import io.tunnelvision.schemas.topic.TopicCreator;
import io.tunnelvision.schemas.topic.Topics;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent as `run` wires it, over this machine's live /proc and /sys, publishing to the real broker. */
class AgentPublishIT {

    @TempDir
    Path dir;

    @Test
    void liveSamplesReachTheirTopicsAndTheMetricsSayHowItWent() throws Exception {
        String bootstrap = SharedKafka.get().bootstrapServers();
        Topics topics = Topics.inNamespace("agent-it-" + UUID.randomUUID().toString().substring(0, 8));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            new TopicCreator(admin).ensure(topics.all());
        }
        String host = "gw-live";
        CollectorRegistry registry = CollectorRegistry.standard(Path.of("/proc"), Path.of("/sys"));
        try (DiskSpool spool = DiskSpool.open(dir, 8L << 20);
             SpoolSender sender = new SpoolSender(spool, () -> new KafkaProducer<>(
                     ProducerSettings.forBootstrap(bootstrap, host), new ByteArraySerializer(),
                     new ByteArraySerializer())).start();
             AgentLoop loop = new AgentLoop(HostIdentity.read(host, Path.of("/proc")), new CollectionRound(registry),
                     new SampleRouting(topics, new SamplePublisher(spool)), new SequenceStore(dir),
                     Clock.systemUTC());
             MetricsServer metrics = new MetricsServer(new InetSocketAddress("127.0.0.1", 0),
                     new AgentMetrics(registry, spool, sender, loop, new CommandCounts(),
                             new ReflectorCounts())::render)) {
            loop.start(Duration.ofMillis(200));
            List<InterruptSample> got = read(bootstrap, topics.interruptSamples, 5);
            assertTrue(got.size() >= 5, "got " + got.size() + " interrupt samples");
            for (int i = 1; i < got.size(); i++) {
                assertEquals(got.get(i - 1).getHeader().getSequence() + 1, got.get(i).getHeader().getSequence());
            }
            assertEquals(host, got.get(0).getHeader().getHostId());

            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + metrics.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(body.contains("tunnelvision_collector_runs_total{collector=\"interrupts\"}"), body);
            assertTrue(body.contains("tunnelvision_collector_last_success{collector=\"softnet\"} 1"), body);
            assertTrue(body.matches("(?s).*tunnelvision_samples_sent_total [1-9].*"), body);
        }
    }

    private static <V> List<V> read(String bootstrap, Topic<String, V> topic, int atLeast) {
        List<V> out = new ArrayList<>();
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props, topic.keySerde().deserializer(),
                topic.valueSerde().deserializer())) {
            consumer.assign(consumer.partitionsFor(topic.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < atLeast && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
            }
        }
        return out;
    }
}
