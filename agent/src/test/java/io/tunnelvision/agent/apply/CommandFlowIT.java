package io.tunnelvision.agent.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.agent.publish.DiskSpool;
import io.tunnelvision.agent.publish.ProducerSettings;
import io.tunnelvision.agent.publish.SamplePublisher;
import io.tunnelvision.agent.publish.SpoolSender;
import io.tunnelvision.embedded.fixture.SharedKafka;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.topic.Topic;
import io.tunnelvision.schemas.topic.TopicCreator;
import io.tunnelvision.schemas.topic.Topics;
import io.tunnelvision.schemas.topic.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on the real broker and a real kernel: a signed command produced to the commands topic is consumed
 * by the executor, applied to a tun device in a network namespace, and answered on the results topic through the
 * agent's spool. The executor runs in this JVM and sees the namespace's interfaces through a sysfs mounted from
 * inside it (the broker is not reachable from inside a fresh namespace).
 */
class CommandFlowIT {

    private static final String HOST = "gw-e2e-01";

    @TempDir
    Path dir;
    private NetNamespace ns;

    @BeforeAll
    static void needsRoot() {
        assertTrue(NetNamespace.available(),
                "these tests create network namespaces: run them as root with iproute2 installed (./tunnelvision test does)");
    }

    @AfterEach
    void removeTheNamespace() {
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    void aSignedCommandOnTheTopicIsAppliedInTheNamespaceAndAnsweredOnTheResultsTopic() throws Exception {
        ns = NetNamespace.create();
        Path sys = ns.mountSysfs(dir.resolve("sys"));
        assertTrue(Files.exists(sys.resolve("class/net/tun0/tx_queue_len")), "the namespace's sysfs is mounted");
        String bootstrap = SharedKafka.get().bootstrapServers();
        Topics topics = Topics.inNamespace("it-apply-" + UUID.randomUUID().toString().substring(0, 8));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            new TopicCreator(admin).ensure(List.of(topics.commands, topics.commandResults, topics.deadLetters));
        }
        Commands planner = new Commands(HOST, System.currentTimeMillis());
        TuningCommand change = planner.signed(TuningAction.TXQUEUELEN, "tun0", "500", "1000");
        String neighbour = neighbourOn(topics.commands.partitions());
        TuningCommand forNeighbour = new Commands(neighbour, System.currentTimeMillis())
                .signed(TuningAction.MTU, "tun0", "1500", "1400");

        ExecutorSettings settings = ExecutorSettings.of(HOST, sys, dir.resolve("no-proc"), dir.resolve("state"),
                ExecutorSettings.allActions(), ApplyBounds.standard(), false);
        CommandExecutor executor = new CommandExecutor(settings, Commands.trusting(), Clock.systemUTC());
        try (DiskSpool spool = DiskSpool.open(dir.resolve("spool"), 8L << 20);
             SpoolSender sender = new SpoolSender(spool, () -> new KafkaProducer<>(
                     ProducerSettings.forBootstrap(bootstrap, HOST), new ByteArraySerializer(),
                     new ByteArraySerializer())).start();
             CommandConsumer consumer = new CommandConsumer(topics.commands, HOST, executor,
                     new SpoolResults(topics.commandResults, topics.deadLetters, new SamplePublisher(spool)),
                     () -> new KafkaConsumer<>(CommandConsumer.consumerSettings(bootstrap, topics.namespace(), HOST),
                             new ByteArrayDeserializer(), new ByteArrayDeserializer())).start()) {

            produce(bootstrap, topics.commands, List.of(forNeighbour, change, change));
            producePoison(bootstrap, topics.commands.name(), HOST);

            List<CommandResult> results = read(bootstrap, topics.commandResults, 2);
            assertEquals(2, results.size(), "one result per command for this host: " + results);
            CommandResult applied = results.get(0);
            assertEquals(change.getCommandId(), applied.getCommandId());
            assertEquals(CommandStatus.APPLIED, applied.getStatus(), applied.getReason());
            assertEquals("500", applied.getValueBefore());
            assertEquals("1000", applied.getValueAfter());
            assertEquals(HOST, applied.getHostId());
            // the same command twice on the topic, as after a restart before the offset commit: the second is
            // answered with the first result, as it was, and not refused (which would cancel its verification)
            assertEquals(applied, results.get(1), "a redelivery gets the first result again");
            assertEquals(1, executor.counts().of(CommandStatus.APPLIED), "applied once");
            assertEquals(1, executor.counts().of(Delivery.REPEAT));

            String link = ns.ip("link", "show", "tun0");
            assertTrue(link.contains("qlen 1000") && link.contains("mtu 1500 "), link);
            assertEquals(1, consumer.skippedRecords(), "the neighbour's command is skipped unread");
            List<ConsumerRecord<byte[], byte[]>> dead = readRaw(bootstrap, topics.deadLetters.name());
            assertEquals(1, dead.size(), "the poison record is dead-lettered");
            assertEquals("garbage", new String(dead.get(0).value(), StandardCharsets.UTF_8));
            assertEquals(topics.commands.name(), header(dead.get(0), DeadLetterHeaders.SOURCE_TOPIC));
            assertTrue(header(dead.get(0), DeadLetterHeaders.ERROR).contains("PayloadDecodeException"),
                    header(dead.get(0), DeadLetterHeaders.ERROR));
            assertEquals(4, committedOffset(bootstrap, topics, HOST), "offsets are committed after handling");
        }
    }

    /** A host whose key maps to the same partition as {@link #HOST}'s, so that the agent sees its records. */
    private static String neighbourOn(int partitions) {
        int ours = HostPartition.of(HOST, partitions);
        for (int i = 0; ; i++) {
            String candidate = "gw-neighbour-" + i;
            if (HostPartition.of(candidate, partitions) == ours) {
                return candidate;
            }
        }
    }

    private static void producePoison(String bootstrap, String topic, String host) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, host.getBytes(StandardCharsets.UTF_8),
                    "garbage".getBytes(StandardCharsets.UTF_8)));
            producer.flush();
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> readRaw(String bootstrap, String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    /** Produces with the producer's default partitioner, as the planner does. */
    private static void produce(String bootstrap, Topic<String, TuningCommand> topic, List<TuningCommand> commands) {
        try (KafkaProducer<String, TuningCommand> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            for (TuningCommand c : commands) {
                producer.send(new ProducerRecord<>(topic.name(), c.getHostId(), c));
            }
            producer.flush();
        }
    }

    private static List<CommandResult> read(String bootstrap, Topic<String, CommandResult> topic, int expected)
            throws InterruptedException {
        List<CommandResult> out = new ArrayList<>();
        try (KafkaConsumer<String, CommandResult> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            consumer.assign(consumer.partitionsFor(topic.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList());
            long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
            }
            // anything more (a result for the neighbour's command) would arrive right behind
            Thread.sleep(500);
            consumer.poll(Duration.ofMillis(500)).forEach(r -> out.add(r.value()));
        }
        return out;
    }

    private static long committedOffset(String bootstrap, Topics topics, String host) throws Exception {
        Map<String, Object> settings = CommandConsumer.consumerSettings(bootstrap, topics.namespace(), host);
        TopicPartition tp = new TopicPartition(topics.commands.name(),
                HostPartition.of(host, topics.commands.partitions()));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            long offset = -1;
            while (System.nanoTime() < deadline) {
                OffsetAndMetadata committed = admin.listConsumerGroupOffsets(
                        (String) settings.get(ConsumerConfig.GROUP_ID_CONFIG))
                        .partitionsToOffsetAndMetadata().get().get(tp);
                offset = committed == null ? -1 : committed.offset();
                if (offset == 3) {
                    break;
                }
                Thread.sleep(100);
            }
            return offset;
        }
    }
}
