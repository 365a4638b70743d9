package io.tunnelvision.local.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.sign.CommandSignatureVerifier;
import io.tunnelvision.schemas.sign.CommandSigner;
import io.tunnelvision.schemas.sign.Ed25519Keys;
import io.tunnelvision.schemas.topic.Topic;
import io.tunnelvision.streams.StreamsAppConfig;
import io.tunnelvision.streams.topology.GatewaySim;
import io.tunnelvision.streams.topology.KafkaFixture;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application reset on the real broker: the streams app runs under one application id and the agent applies its
 * command; then the app runs under a new application id (every store and changelog new) with the same planner key,
 * and the same agent applies the new app's next command. Before sequences came from the gate's clock, the new app
 * started again at 1 and every agent refused it as a replay.
 */
class ApplicationResetIT {

    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final String HOST = "gw-reset";

    @TempDir
    Path dir;
    private final KafkaFixture kafka = new KafkaFixture();
    private final KeyPair plannerKey = Ed25519Keys.generate();

    @AfterEach
    void stop() {
        kafka.close();
    }

    private KafkaStreams start(String applicationId) throws InterruptedException {
        StreamsAppConfig config = kafka.config(Map.of(StreamsAppConfig.APPLICATION_ID.env(), applicationId));
        KafkaStreams streams = kafka.start(config, CommandSigner.of(plannerKey));
        KafkaFixture.awaitRunning(streams);
        return streams;
    }

    /** Tx drops on tun0, whose queue is {@code txQueueLen}, from {@code startMs}: the planner answers them. */
    private void txDrops(long startMs, int txQueueLen) {
        kafka.txDropsOnTun0(new GatewaySim(HOST, 4).startingAt(startMs), txQueueLen, 6);
    }

    /** The first command on the commands topic that expects {@code expected} on tun0. */
    private TuningCommand commandExpecting(String expected) {
        List<TuningCommand> found = kafka.readUntil(kafka.topics.commands, records -> records.stream()
                        .anyMatch(r -> expected.equals(r.value().getExpectedValue())), WAIT)
                .stream().map(ConsumerRecord::value).filter(c -> expected.equals(c.getExpectedValue())).toList();
        assertEquals(1, found.size(), "one command expecting " + expected + ": " + found);
        return found.get(0);
    }

    /**
     * What a reset to the end of the input does (kafka-streams-application-reset --to-latest): the new application
     * id does not plan again from the old samples, whose commands would be long expired anyway.
     */
    private void dropInputBeforeNow() throws ExecutionException, InterruptedException {
        List<Topic<?, ?>> inputs = List.of(kafka.topics.interfaceConfigSamples, kafka.topics.interruptSamples,
                kafka.topics.linkSamples, kafka.topics.commandResults);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (String topic : inputs.stream().map(Topic::name).toList()) {
                admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                        .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            }
            Map<TopicPartition, RecordsToDelete> before = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((partition, end) ->
                    before.put(partition, RecordsToDelete.beforeOffset(end.offset())));
            admin.deleteRecords(before).all().get();
        }
    }

    @Test
    void afterANewApplicationIdTheAgentAcceptsTheNextCommand() throws Exception {
        GatewayTree gateway = new GatewayTree(dir, HOST, 1000);
        CommandSignatureVerifier trusted = new CommandSignatureVerifier(List.of(plannerKey.getPublic()));

        KafkaStreams first = start(kafka.namespace + "-streams-a");
        txDrops(GatewaySim.T0, 1000);
        TuningCommand before = commandExpecting("1000");
        CommandResult applied = gateway.agent(trusted, before.getIssuedAtMs()).handle(before);
        assertEquals(CommandStatus.APPLIED, applied.getStatus(), applied.getReason());
        first.close(Duration.ofSeconds(20));

        dropInputBeforeNow();
        start(kafka.namespace + "-streams-b");
        txDrops(GatewaySim.T0 + Duration.ofHours(1).toMillis(), 2000);
        TuningCommand after = commandExpecting("2000");
        CommandResult result = gateway.agent(trusted, after.getIssuedAtMs()).handle(after);

        assertTrue(after.getSequence() > before.getSequence(), after.getSequence() + " > " + before.getSequence());
        assertEquals(CommandStatus.APPLIED, result.getStatus(), result.getReason());
        assertEquals(after.getNewValue(), gateway.txQueueLen());
    }
}
