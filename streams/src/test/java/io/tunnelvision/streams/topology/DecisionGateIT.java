package io.tunnelvision.streams.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.avro.Decision;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.ManualCommand;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.sign.CommandSignatureVerifier;
import io.tunnelvision.schemas.sign.CommandSigner;
import io.tunnelvision.schemas.sign.DecisionSignatureVerifier;
import io.tunnelvision.schemas.sign.DecisionSigner;
import io.tunnelvision.schemas.sign.Ed25519Keys;
import io.tunnelvision.schemas.sign.KeyRing;
import io.tunnelvision.schemas.sign.SignatureVerdict;
import io.tunnelvision.schemas.topic.DeadLetterHeaders;
import io.tunnelvision.streams.StreamsAppConfig;
import io.tunnelvision.streams.fleet.DecisionCheck;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Approval mode on the real broker, which any client may write to (no ACLs here): decisions written straight to
 * the decisions topic, unsigned or signed by a stranger, never release the proposal and land in the dead-letter
 * topic with their reason; the api's signed approval does. A command by hand (the CLI's {@code propose}) takes the
 * same way: only the api's signature and the catalog's bounds let it through, signed by the planner.
 */
class DecisionGateIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final KeyPair PLANNER = Ed25519Keys.generate();
    private static final KeyPair API = Ed25519Keys.generate();
    private static KafkaFixture kafka;

    @BeforeAll
    static void start() throws InterruptedException {
        kafka = new KafkaFixture();
        StreamsAppConfig config = kafka.config(Map.of(StreamsAppConfig.PLANNER_MODE.env(), "approval"));
        KafkaFixture.awaitRunning(kafka.start(config, CommandSigner.of(PLANNER), new DecisionCheck(
                new DecisionSignatureVerifier(KeyRing.of(List.of(API.getPublic()))), Duration.ofMinutes(10))));
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    private static TuningCommand proposalFor(String host) {
        kafka.txDropsOnTun0(new GatewaySim(host, 4), 1000, 6);
        List<TuningCommand> proposals = kafka.readUntil(kafka.topics.commandProposals,
                records -> records.stream().anyMatch(r -> host.equals(r.key())), WAIT)
                .stream().filter(r -> host.equals(r.key())).map(ConsumerRecord::value).toList();
        assertEquals(1, proposals.size(), proposals.toString());
        return proposals.get(0);
    }

    private static CommandDecision approval(TuningCommand proposal, String operator) {
        return CommandDecision.newBuilder().setCommandId(proposal.getCommandId()).setHostId(proposal.getHostId())
                .setDecision(Decision.APPROVE).setOperator(operator).setTimeMs(System.currentTimeMillis()).build();
    }

    private static void send(CommandDecision decision) {
        kafka.send(kafka.topics.commandDecisions, decision.getHostId(), decision, System.currentTimeMillis());
        kafka.flush();
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static boolean refusalForGwOpen(ConsumerRecord<byte[], byte[]> record) {
        return header(record, DeadLetterHeaders.ERROR).startsWith("DecisionRefused")
                && "gw-open".equals(new String(record.key(), StandardCharsets.UTF_8));
    }

    @Test
    void forgedDecisionsOnAnOpenBrokerNeverYieldACommandAndTheSignedOneDoes() {
        TuningCommand proposal = proposalFor("gw-open");
        assertEquals(SignatureVerdict.UNSIGNED,
                new CommandSignatureVerifier(List.of(PLANNER.getPublic())).verify(proposal));

        send(approval(proposal, "mallory"));
        send(DecisionSigner.of(Ed25519Keys.generate()).sign(approval(proposal, "mallory")));

        List<ConsumerRecord<byte[], byte[]>> dead = kafka.readUntil(kafka.topics.deadLetters, records -> records
                .stream().filter(DecisionGateIT::refusalForGwOpen).count() >= 2,
                WAIT).stream().filter(DecisionGateIT::refusalForGwOpen).toList();
        assertEquals(2, dead.size());
        assertTrue(header(dead.get(0), DeadLetterHeaders.ERROR).startsWith("DecisionRefused: unsigned: "));
        assertTrue(header(dead.get(1), DeadLetterHeaders.ERROR).startsWith("DecisionRefused: unknown_key: "));
        assertEquals(kafka.topics.commandDecisions.name(), header(dead.get(0), DeadLetterHeaders.SOURCE_TOPIC));
        // read_committed: the refusals are committed, so anything the gate sent with them would be visible too
        assertTrue(kafka.readUntil(kafka.topics.commands, records -> false, Duration.ofSeconds(2)).stream()
                .noneMatch(r -> "gw-open".equals(r.key())), "no command from a forged decision");

        send(DecisionSigner.of(API).sign(approval(proposal, "alice")));

        List<TuningCommand> sent = kafka.readUntil(kafka.topics.commands,
                records -> records.stream().anyMatch(r -> "gw-open".equals(r.key())), WAIT)
                .stream().filter(r -> "gw-open".equals(r.key())).map(ConsumerRecord::value).toList();
        assertEquals(1, sent.size(), sent.toString());
        assertEquals(proposal.getCommandId(), sent.get(0).getCommandId());
        assertTrue(new CommandSignatureVerifier(List.of(PLANNER.getPublic())).isValid(sent.get(0)));
    }

    @Test
    void aCommandByHandSignedByTheApiBecomesACommandSignedByThePlannerAndAForgedOneDoesNot() {
        GatewaySim sim = new GatewaySim("gw-manual", 4);
        kafka.send(kafka.topics.interfaceConfigSamples, sim.host(), sim.interfaces(GatewaySim.tunnel("tun0",
                InterfaceKind.TUN, 1400, 500, "0", "eth0"), GatewaySim.physical("eth0", 1500)), sim.timeMs());
        kafka.flush();
        CommandDecision byHand = CommandDecision.newBuilder().setCommandId("manual-" + UUID.randomUUID())
                .setHostId(sim.host()).setDecision(Decision.APPROVE).setOperator("alice").setReason("ticket 7")
                .setTimeMs(System.currentTimeMillis())
                .setManual(ManualCommand.newBuilder().setAction("TXQUEUELEN").setTarget("tun0").setNewValue("1000")
                        .build())
                .build();
        // a gateway's principal writing the same request straight to the topic, signed by no key the gate trusts
        CommandDecision forged = CommandDecision.newBuilder(byHand).setCommandId("manual-forged-" + UUID.randomUUID())
                .build();
        send(DecisionSigner.of(Ed25519Keys.generate()).sign(forged));
        // and out of the catalog's bounds, though signed by the api
        CommandDecision outOfBounds = CommandDecision.newBuilder(byHand)
                .setCommandId("manual-bounds-" + UUID.randomUUID())
                .setManual(ManualCommand.newBuilder().setAction("TXQUEUELEN").setTarget("tun0")
                        .setNewValue("100000000").build())
                .build();
        send(DecisionSigner.of(API).sign(outOfBounds));
        send(DecisionSigner.of(API).sign(byHand));

        List<TuningCommand> sent = kafka.readUntil(kafka.topics.commands,
                records -> records.stream().anyMatch(r -> sim.host().equals(r.key())), WAIT)
                .stream().filter(r -> sim.host().equals(r.key())).map(ConsumerRecord::value).toList();
        assertEquals(1, sent.size(), sent.toString());
        TuningCommand command = sent.get(0);
        assertEquals(byHand.getCommandId(), command.getCommandId());
        assertEquals("500", command.getExpectedValue(), "compare-and-set against the value the gateway reported");
        assertEquals("1000", command.getNewValue());
        assertTrue(command.getReason().startsWith("by hand, alice: ticket 7"), command.getReason());
        assertTrue(new CommandSignatureVerifier(List.of(PLANNER.getPublic())).isValid(command));

        List<String> refused = kafka.readUntil(kafka.topics.deadLetters, records -> records.stream()
                        .filter(r -> header(r, DeadLetterHeaders.ERROR).startsWith("DecisionRefused")
                                && new String(r.key(), StandardCharsets.UTF_8).equals(sim.host())).count() >= 2, WAIT)
                .stream().filter(r -> new String(r.key(), StandardCharsets.UTF_8).equals(sim.host()))
                .map(r -> header(r, DeadLetterHeaders.ERROR)).toList();
        assertEquals(2, refused.size(), refused.toString());
        assertTrue(refused.get(0).startsWith("DecisionRefused: unknown_key: "), refused.get(0));
        assertTrue(refused.get(1).startsWith("DecisionRefused: out_of_bounds: "), refused.get(1));
    }
}
