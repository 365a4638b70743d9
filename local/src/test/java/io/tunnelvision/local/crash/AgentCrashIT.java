package io.tunnelvision.local.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.config.Env;
import io.tunnelvision.embedded.fixture.SharedKafka;
import io.tunnelvision.local.sim.Fault;
import io.tunnelvision.local.sim.SimulatedGateway;
import io.tunnelvision.local.sim.SimulatedHost;
import io.tunnelvision.local.sim.TrafficLoad;
import io.tunnelvision.local.sim.TunnelKind;
import io.tunnelvision.schemas.avro.CommandOutcome;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.Verdict;
import io.tunnelvision.schemas.sign.CommandSigner;
import io.tunnelvision.schemas.sign.Ed25519Keys;
import io.tunnelvision.schemas.topic.Topic;
import io.tunnelvision.schemas.topic.TopicCreator;
import io.tunnelvision.schemas.topic.Topics;
import io.tunnelvision.streams.StreamsAppConfig;
import io.tunnelvision.streams.StreamsProperties;
import io.tunnelvision.streams.topology.TunnelvisionTopology;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Idempotent redelivery with a real crash. A simulated gateway (its /proc and /sys a directory tree the model
 * advances every 100 ms) carries a fault; the real agent runs as a JVM of its own against that tree, with the
 * shared broker and the streams app (planner in auto mode) in this JVM. The agent is made to pause at one point
 * between the kernel write and the offset commit of the first command it gets
 * (TUNNELVISION_AGENT_TEST_CRASH_PAUSE), killed there with SIGKILL, and started again on the same state. Kafka
 * delivers the command again; the loop must still end VERIFIED or ROLLED_BACK, with the setting changed once, the
 * audit log showing one apply, and no REJECTED result on the topic streams reads.
 */
class AgentCrashIT {

    private static final String HOST = "gw-crash";
    private static final Duration STEP = Duration.ofMillis(100);
    private static final TrafficLoad LOAD = new TrafficLoad(10_000, 8_000, 0.3, 200);
    private static final Duration LOOP_LIMIT = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    static Stream<Arguments> crashes() {
        return Stream.of(
                // the kernel has the new value; nothing is recorded: the redelivery finds it in place. The fault
                // is one a longer queue makes worse, so the change resumed after the crash is rolled back.
                Arguments.of("after-kernel-write", new Fault.TxQueueBackfire(0.002)),
                // the result is recorded but never reached the spool: the redelivery sends it
                Arguments.of("after-result-recorded", new Fault.TxDrops(20)),
                // the result is spooled (and maybe sent); the offset is not committed
                Arguments.of("after-result-spooled", new Fault.TxDrops(20)));
    }

    @ParameterizedTest(name = "killed {0}")
    @MethodSource("crashes")
    void theLoopClosesWhenTheAgentIsKilledBetweenItsWriteAndItsOffsetCommit(String point, Fault fault)
            throws Exception {
        String bootstrap = SharedKafka.get().bootstrapServers();
        Topics topics = Topics.inNamespace("crash-" + UUID.randomUUID().toString().substring(0, 8));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            new TopicCreator(admin).ensure(topics.all());
        }
        Ed25519Keys.KeyFiles key = Ed25519Keys.write(Ed25519Keys.generate(),
                Files.createDirectories(dir.resolve("keys")), "planner");
        Path trusted = Files.createDirectories(dir.resolve("trusted-keys"));
        Files.copy(key.publicKey(), trusted.resolve("planner.pub.pem"));
        SimulatedHost host = new SimulatedHost(new SimulatedGateway(HOST, 4, TunnelKind.TUN, 7), dir.resolve("tree"));
        Path txqueuelen = host.tree().sysRoot().resolve("class/net/tun0/tx_queue_len");
        String original = Files.readString(txqueuelen).strip();
        Path state = dir.resolve("state");
        Path log = dir.resolve("agent.log");
        ScheduledExecutorService model = Executors.newSingleThreadScheduledExecutor();
        KafkaStreams streams = startStreams(bootstrap, topics, key);
        try {
            model.scheduleAtFixedRate(() -> step(host), 0, STEP.toMillis(), TimeUnit.MILLISECONDS);
            awaitRunning(streams);

            String commandId;
            try (AgentProcess first = AgentProcess.start(agentEnv(bootstrap, topics, trusted, state, point), log)) {
                first.awaitLine("agent " + HOST + " (boot", 0, Duration.ofSeconds(60));
                Thread.sleep(3_000); // a few healthy samples first, as before any fault
                model.execute(() -> host.inject(fault));
                String paused = first.awaitLine("crash test: pausing", 0, LOOP_LIMIT);
                assertTrue(paused.contains(" at " + point + " "), paused);
                commandId = paused.substring(paused.indexOf("of command ") + "of command ".length(),
                        paused.indexOf(" (TUNNELVISION_AGENT_TEST_CRASH_PAUSE)"));
                first.kill();
            }
            int linesBeforeRestart = Files.readAllLines(log).size();
            Thread.sleep(2_000); // systemd's RestartSec, shortened

            try (AgentProcess second = AgentProcess.start(agentEnv(bootstrap, topics, trusted, state, ""), log)) {
                second.awaitLine("agent " + HOST + " (boot", linesBeforeRestart, Duration.ofSeconds(60));
                CommandOutcome outcome = await(bootstrap, topics.commandOutcomes, o -> o.getCommandId()
                        .equals(commandId), "the verdict on " + commandId, second);
                assertTrue(outcome.getOutcome() == Verdict.VERIFIED || outcome.getOutcome() == Verdict.ROLLED_BACK,
                        outcome.toString());

                List<CommandResult> results = read(bootstrap, topics.commandResults);
                assertEquals(List.of(), results.stream().filter(r -> r.getStatus() == CommandStatus.REJECTED)
                        .toList(), "streams saw no REJECTED result");
                List<CommandResult> ofCommand = results.stream().filter(r -> r.getCommandId().equals(commandId))
                        .toList();
                assertFalse(ofCommand.isEmpty());
                assertEquals(CommandStatus.APPLIED, ofCommand.get(0).getStatus(), ofCommand.get(0).getReason());
                if (!point.equals("after-kernel-write")) {
                    assertTrue(ofCommand.stream().allMatch(ofCommand.get(0)::equals),
                            "a repeated result is the first one, as it was: " + ofCommand);
                }
                assertAppliedOnce(state, commandId, point.equals("after-kernel-write") ? "resumed" : "first");

                String expected = ofCommand.get(0).getValueAfter();
                if (outcome.getOutcome() == Verdict.ROLLED_BACK) {
                    String rollback = outcome.getRollbackCommandId();
                    CommandResult undone = await(bootstrap, topics.commandResults, r -> r.getCommandId()
                            .equals(rollback), "the result of rollback " + rollback, second);
                    assertEquals(CommandStatus.ROLLED_BACK, undone.getStatus(), undone.getReason());
                    assertAppliedOnce(state, rollback, "first");
                    expected = original;
                }
                assertEquals(expected, Files.readString(txqueuelen).strip(), "the setting as the loop left it");
                System.out.printf("killed %s: %s %s -> %s, %d result(s) of it on the topic%n", point, commandId,
                        ofCommand.get(0).getValueBefore(), outcome.getOutcome(), ofCommand.size());
            }
        } finally {
            model.shutdownNow();
            streams.close(Duration.ofSeconds(10));
        }
    }

    /** One step of the model; a failure is printed, as the executor's next write would otherwise be lost. */
    private static void step(SimulatedHost host) {
        try {
            host.advance(STEP, LOAD);
        } catch (RuntimeException e) {
            e.printStackTrace();
            throw e;
        }
    }

    /**
     * The audit log has exactly one line for the command that is not a repeat, APPLIED or ROLLED_BACK with the
     * given delivery, and the applied-changes record has the change once: one write, whatever was redelivered.
     */
    private static void assertAppliedOnce(Path state, String commandId, String delivery) throws IOException {
        List<String> audit = Files.readAllLines(state.resolve("audit.log")).stream()
                .filter(l -> l.contains("\"commandId\":\"" + commandId + "\"")).toList();
        List<String> handling = audit.stream().filter(l -> !l.contains("\"delivery\":\"repeat\"")).toList();
        assertEquals(1, handling.size(), "one apply of " + commandId + " in the audit log:\n"
                + String.join("\n", audit));
        assertTrue(handling.get(0).contains("\"delivery\":\"" + delivery + "\""), handling.get(0));
        assertTrue(handling.get(0).matches(".*\"status\":\"(APPLIED|ROLLED_BACK)\".*"), handling.get(0));
        long recorded = Files.readAllLines(state.resolve("applied")).stream()
                .filter(l -> l.startsWith(commandId + "\t")).count();
        assertEquals(1, recorded, "one recorded change of " + commandId);
    }

    private static Map<String, String> agentEnv(String bootstrap, Topics topics, Path trusted, Path state,
                                                String crashPause) throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("TUNNELVISION_KAFKA_BOOTSTRAP", bootstrap);
        env.put("TUNNELVISION_TOPIC_NAMESPACE", topics.namespace());
        env.put("TUNNELVISION_AGENT_HOST_ID", HOST);
        env.put("TUNNELVISION_AGENT_PROC_ROOT", state.resolveSibling("tree/proc").toString());
        env.put("TUNNELVISION_AGENT_SYS_ROOT", state.resolveSibling("tree/sys").toString());
        env.put("TUNNELVISION_AGENT_SAMPLE_INTERVAL", "1s");
        env.put("TUNNELVISION_AGENT_SPOOL_DIR", state.resolveSibling("spool").toString());
        env.put("TUNNELVISION_AGENT_STATE_DIR", state.toString());
        env.put("TUNNELVISION_AGENT_TRUSTED_KEYS_DIR", trusted.toString());
        env.put("TUNNELVISION_AGENT_DRY_RUN", "false");
        env.put("TUNNELVISION_AGENT_METRICS_PORT", Integer.toString(freePort()));
        if (!crashPause.isEmpty()) {
            env.put("TUNNELVISION_AGENT_TEST_CRASH_PAUSE", crashPause + ":10m");
        }
        return env;
    }

    private KafkaStreams startStreams(String bootstrap, Topics topics, Ed25519Keys.KeyFiles key) throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("TUNNELVISION_KAFKA_BOOTSTRAP", bootstrap);
        env.put("TUNNELVISION_TOPIC_NAMESPACE", topics.namespace());
        env.put("TUNNELVISION_STREAMS_APPLICATION_ID", topics.namespace() + "-streams");
        env.put("TUNNELVISION_STREAMS_STATE_DIR", Files.createDirectories(dir.resolve("streams")).toString());
        env.put("TUNNELVISION_STREAMS_PLANNER_MODE", "auto");
        env.put("TUNNELVISION_STREAMS_COMMIT_INTERVAL", "200ms");
        env.put("TUNNELVISION_STREAMS_SIGNING_KEY_FILE", key.privateKey().toString());
        StreamsAppConfig config = new StreamsAppConfig(new Env(env));
        KafkaStreams streams = new KafkaStreams(new TunnelvisionTopology(config.topics(), config.thresholds(),
                config.policy(), config.plannerSettings(), CommandSigner.fromFile(key.privateKey())).build(),
                StreamsProperties.of(config));
        streams.start();
        return streams;
    }

    private static void awaitRunning(KafkaStreams streams) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            assertTrue(System.nanoTime() < deadline, "streams not RUNNING: " + streams.state());
            Thread.sleep(100);
        }
    }

    private static <V> V await(String bootstrap, Topic<String, V> topic, Predicate<V> match, String what,
                               AgentProcess agent) throws InterruptedException {
        long deadline = System.nanoTime() + LOOP_LIMIT.toNanos();
        while (true) {
            Optional<V> found = read(bootstrap, topic).stream().filter(match).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " on " + topic.name() + " within " + LOOP_LIMIT.toSeconds()
                        + " s; the agent's log ends:\n" + agent.tail());
            }
            Thread.sleep(500);
        }
    }

    /** Every committed record of the topic, from the beginning to its end now. */
    private static <V> List<V> read(String bootstrap, Topic<String, V> topic) {
        List<V> out = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
            }
        }
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
