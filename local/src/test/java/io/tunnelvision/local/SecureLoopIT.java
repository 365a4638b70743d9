package io.tunnelvision.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.config.Env;
import io.tunnelvision.config.KafkaRoles;
import io.tunnelvision.config.KafkaSecurity;
import io.tunnelvision.config.KafkaSettings;
import io.tunnelvision.embedded.fixture.SecureKafka;
import io.tunnelvision.local.fleet.Fleet;
import io.tunnelvision.local.scenario.Scenario;
import io.tunnelvision.local.scenario.ScenarioParser;
import io.tunnelvision.schemas.avro.CommandOutcome;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.sign.CommandSigner;
import io.tunnelvision.schemas.sign.Ed25519Keys;
import io.tunnelvision.schemas.sign.TrustedKeys;
import io.tunnelvision.schemas.topic.AclCreator;
import io.tunnelvision.schemas.topic.Topic;
import io.tunnelvision.schemas.topic.TopicAcls;
import io.tunnelvision.schemas.topic.TopicCreator;
import io.tunnelvision.schemas.topic.Topics;
import io.tunnelvision.streams.StreamsAppConfig;
import io.tunnelvision.streams.StreamsProperties;
import io.tunnelvision.streams.topology.TunnelvisionTopology;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop with security on: on the secure embedded broker, with the ACLs topic init creates, the streams
 * app runs as the streams principal and the simulated fleet (the agent's collectors, producer, command reader and
 * executor) as the agent principal, both over SASL_SSL with SCRAM-SHA-512; a fault's samples become a signed
 * command, the command an APPLIED result, and the result an outcome.
 */
class SecureLoopIT {

    private static final Duration LOOP_LIMIT = Duration.ofSeconds(120);
    private static final String HOST = "gw-tx-drops";

    @TempDir
    Path dir;

    @Test
    void sampleToCommandToResultToOutcomeUnderTheirOwnPrincipals() throws Exception {
        SecureKafka kafka = SecureKafka.get();
        String run = UUID.randomUUID().toString().substring(0, 8);
        Topics topics = Topics.inNamespace("secure-loop-" + run);
        String agent = "loop_agent_" + run;
        String streamsUser = "loop_streams_" + run;
        String applicationId = "secure-loop-" + run + "-streams";
        TopicAcls acls = new TopicAcls(topics, new TopicAcls.Roles("User:" + agent, "User:" + streamsUser,
                "User:loop_api_" + run, applicationId, "secure-loop-" + run + "-api"));
        try (Admin admin = Admin.create(kafka.adminClientProperties())) {
            new TopicCreator(admin).ensure(topics.all());
            new AclCreator(admin).ensure(acls.all());
        }

        Path keys = Files.createDirectories(dir.resolve("keys"));
        Ed25519Keys.write(Ed25519Keys.generate(), keys, "planner");
        CommandSigner signer = CommandSigner.fromFile(keys.resolve("planner.key.pem"));
        Map<String, String> streamsEnv = new HashMap<>(login(kafka, streamsUser));
        streamsEnv.put(KafkaSettings.TOPIC_NAMESPACE.env(), topics.namespace());
        streamsEnv.put(KafkaRoles.STREAMS_APPLICATION_ID.env(), applicationId);
        streamsEnv.put(StreamsAppConfig.STATE_DIR.env(), dir.resolve("streams").toString());
        streamsEnv.put(StreamsAppConfig.SIGNING_KEY_FILE.env(), keys.resolve("planner.key.pem").toString());
        streamsEnv.putAll(LocalSystem.STREAMS_DEFAULTS);
        StreamsAppConfig config = new StreamsAppConfig(new Env(streamsEnv));
        Map<String, Object> agentSecurity = KafkaSecurity.from(new Env(login(kafka, agent))).clientProperties();

        List<KafkaStreams.State> states = new CopyOnWriteArrayList<>();
        try (KafkaStreams streams = new KafkaStreams(new TunnelvisionTopology(topics, config.thresholds(),
                config.policy(), config.plannerSettings(), signer).build(), StreamsProperties.of(config));
             Fleet fleet = Fleet.start(scenario(), new Fleet.Settings(dir.resolve("fleet"),
                     kafka.broker().bootstrapServers(), agentSecurity, topics, TrustedKeys.fromDirectory(keys), 1))) {
            streams.setStateListener((now, before) -> states.add(now));
            streams.start();
            long begin = System.nanoTime();

            TuningCommand command = first(kafka, topics.commands, c -> c.getHostId().equals(HOST));
            System.out.printf("secure loop: command %s %s after %d ms%n", command.getAction(), command.getNewValue(),
                    (System.nanoTime() - begin) / 1_000_000);
            CommandResult result = first(kafka, topics.commandResults,
                    r -> r.getCommandId().equals(command.getCommandId()));
            assertEquals(CommandStatus.APPLIED, result.getStatus(), "the agent refused or failed: " + result);
            CommandOutcome outcome = first(kafka, topics.commandOutcomes,
                    o -> o.getCommandId().equals(command.getCommandId()));
            System.out.printf("secure loop: result %s, outcome %s after %d ms%n", result.getStatus(),
                    outcome.getOutcome(), (System.nanoTime() - begin) / 1_000_000);
            assertNotNull(outcome.getOutcome());
            assertTrue(fleet.stats().commands() >= 1, "the fleet's reader handled no command");
            assertEquals(KafkaStreams.State.RUNNING, streams.state(), "states " + states);
            assertTrue(states.stream().noneMatch(s -> s == KafkaStreams.State.ERROR
                    || s == KafkaStreams.State.PENDING_ERROR), "the streams app failed on its way: " + states);
        }
    }

    /** The SCRAM-SHA-512 settings of a new user, as a process's environment would give them. */
    private Map<String, String> login(SecureKafka kafka, String user) throws IOException {
        String password = SecureKafka.randomPassword();
        kafka.broker().createScramUser(user, password);
        Path file = Files.writeString(dir.resolve(user + ".password"), password + "\n");
        return Map.of(
                KafkaSettings.BOOTSTRAP.env(), kafka.broker().bootstrapServers(),
                KafkaSettings.SECURITY_PROTOCOL.env(), "SASL_SSL",
                KafkaSettings.SASL_USERNAME.env(), user,
                KafkaSettings.SASL_PASSWORD_FILE.env(), file.toString(),
                KafkaSettings.SSL_CA_FILE.env(), kafka.caFile().toString());
    }

    private static Scenario scenario() {
        return ScenarioParser.parse("secure-loop.yaml", new InputStreamReader(SecureLoopIT.class.getResourceAsStream(
                "/io/tunnelvision/local/secure-loop.yaml"), StandardCharsets.UTF_8));
    }

    /** The first committed record of the topic that matches, read by the super user. */
    private static <V> V first(SecureKafka kafka, Topic<String, V> topic, Predicate<V> wanted) {
        Map<String, Object> props = new HashMap<>(kafka.adminClientProperties());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props, topic.keySerde().deserializer(),
                topic.valueSerde().deserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic.name()).forEach(p -> partitions.add(new TopicPartition(p.topic(),
                    p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + LOOP_LIMIT.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(500))) {
                    if (wanted.test(record.value())) {
                        return record.value();
                    }
                }
            }
        }
        throw new AssertionError("nothing wanted on " + topic.name() + " within " + LOOP_LIMIT.toSeconds() + " s");
    }
}
