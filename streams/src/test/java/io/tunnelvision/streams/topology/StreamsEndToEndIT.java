package io.tunnelvision.streams.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.CommandOutcome;
import io.tunnelvision.schemas.avro.Hotspot;
import io.tunnelvision.schemas.avro.HotspotState;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.SoftnetRates;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.avro.Verdict;
import io.tunnelvision.schemas.sign.CommandSignatureVerifier;
import io.tunnelvision.schemas.sign.CommandSigner;
import io.tunnelvision.schemas.sign.Ed25519Keys;
import io.tunnelvision.streams.StreamsAppConfig;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The app on the real broker with exactly-once on: the loop from samples to signed commands and back. */
class StreamsEndToEndIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final KeyPair KEYS = Ed25519Keys.generate();
    private static KafkaFixture kafka;

    @BeforeAll
    static void start() throws InterruptedException {
        kafka = new KafkaFixture();
        StreamsAppConfig config = kafka.config(Map.of());
        KafkaFixture.awaitRunning(kafka.start(config, CommandSigner.of(KEYS)));
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    private static GatewaySim txDroppingHost(String host) {
        GatewaySim sim = new GatewaySim(host, 4);
        kafka.send(kafka.topics.interfaceConfigSamples, host, sim.interfaces(
                GatewaySim.tunnel("tun0", InterfaceKind.TUN, 1400, 1000, "0", "eth0"),
                GatewaySim.physical("eth0", 1500)), sim.timeMs());
        return sim;
    }

    private static void txDrops(GatewaySim sim, int intervals, long drops) {
        for (int i = 0; i < intervals; i++) {
            kafka.send(kafka.topics.interruptSamples, sim.host(), sim.interrupts(2000, 0, 0.5, 0.1), sim.timeMs());
            kafka.send(kafka.topics.linkSamples, sim.host(), sim.link("tun0", drops, 0), sim.timeMs());
            sim.step();
        }
        kafka.flush();
    }

    private static List<TuningCommand> commandsFor(String host, int atLeast) {
        return kafka.readUntil(kafka.topics.commands,
                        records -> records.stream().filter(r -> host.equals(r.key())).count() >= atLeast, WAIT)
                .stream().filter(r -> host.equals(r.key())).map(ConsumerRecord::value).toList();
    }

    @Test
    void samplesInASignedCommandOutWithExactlyOnce() {
        GatewaySim sim = txDroppingHost("gw-e2e");

        txDrops(sim, 6, 40);

        List<TuningCommand> commands = commandsFor("gw-e2e", 1);
        assertEquals(1, commands.size());
        TuningCommand command = commands.get(0);
        assertEquals(TuningAction.TXQUEUELEN, command.getAction());
        assertEquals("1000", command.getExpectedValue());
        assertEquals("2000", command.getNewValue());
        assertTrue(new CommandSignatureVerifier(List.of(KEYS.getPublic())).isValid(command));
    }

    @Test
    void aPoisonRecordGoesToTheDeadLetterTopicAndProcessingContinues() {
        String host = "gw-poison";
        GatewaySim sim = new GatewaySim(host, 2);
        kafka.send(kafka.topics.softnetSamples, host, sim.softnet(0, 0), sim.timeMs());
        kafka.sendRaw(kafka.topics.softnetSamples.name(), host, "not avro".getBytes(StandardCharsets.UTF_8));
        sim.step();
        kafka.send(kafka.topics.softnetSamples, host, sim.softnet(5, 0), sim.timeMs());
        kafka.flush();

        List<ConsumerRecord<byte[], byte[]>> dead = kafka.readUntil(kafka.topics.deadLetters,
                records -> !records.isEmpty(), WAIT);
        assertEquals(1, dead.size());
        assertEquals("not avro", new String(dead.get(0).value(), StandardCharsets.UTF_8));
        Header topicHeader = dead.get(0).headers().lastHeader("__streams.errors.topic");
        assertEquals(kafka.topics.softnetSamples.name(), new String(topicHeader.value(), StandardCharsets.UTF_8));

        List<ConsumerRecord<String, SoftnetRates>> rates = kafka.readUntil(kafka.topics.softnetRates,
                records -> records.stream().anyMatch(r -> host.equals(r.key())), WAIT);
        assertTrue(rates.stream().anyMatch(r -> host.equals(r.key())), "the sample after the poison was processed");
    }

    @Test
    void aHostWhoseClockStepsBackAnHourKeepsGettingRatesAndDetectionOnTheRealBroker() {
        // Given a host sampling once a second; the agent stamps both the sample and its Kafka record
        String host = "gw-clock-step";
        GatewaySim sim = new GatewaySim(host, 2);
        long hour = Duration.ofHours(1).toMillis();
        for (int seq = 0; seq < 5; seq++) {
            kafka.send(kafka.topics.softnetSamples, host, sim.softnet(0, 0), sim.timeMs());
            sim.step();
        }
        // When its clock steps back an hour (NTP, a VM restored), and it then squeezes 200 times a second
        sim.startingAt(sim.timeMs() - hour);
        for (int seq = 5; seq < 15; seq++) {
            kafka.send(kafka.topics.softnetSamples, host, sim.softnet(seq == 5 ? 0 : 200, 0), sim.timeMs());
            sim.step();
        }
        kafka.flush();

        // Then every interval but the one across the step has its rate, each measured on one clock
        List<SoftnetRates> rates = kafka.readUntil(kafka.topics.softnetRates,
                        records -> records.stream().filter(r -> host.equals(r.key())).count() >= 13, WAIT)
                .stream().filter(r -> host.equals(r.key())).map(ConsumerRecord::value).toList();
        assertEquals(List.of(1L, 2L, 3L, 4L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L),
                rates.stream().map(r -> r.getHeader().getToSequence()).toList());
        for (SoftnetRates r : rates) {
            assertEquals(1000, r.getHeader().getToMs() - r.getHeader().getFromMs(),
                    "interval " + r.getHeader().getToSequence());
        }
        // and the squeezing after the step is detected
        List<Hotspot> hotspots = kafka.readUntil(kafka.topics.hotspots,
                        records -> records.stream().anyMatch(r -> host.equals(r.key())
                                && r.value().getType() == HotspotType.SOFTNET_SQUEEZE), WAIT)
                .stream().filter(r -> host.equals(r.key())).map(ConsumerRecord::value).toList();
        assertTrue(hotspots.stream().anyMatch(h -> h.getType() == HotspotType.SOFTNET_SQUEEZE
                && h.getState() == HotspotState.OPEN), "a squeeze hotspot opened after the step: " + hotspots);
    }

    @Test
    void aResultShowingNoImprovementBringsASignedRollback() {
        GatewaySim sim = txDroppingHost("gw-rollback");
        txDrops(sim, 6, 40);
        TuningCommand command = commandsFor("gw-rollback", 1).get(0);

        kafka.send(kafka.topics.commandResults, "gw-rollback", Harness.applied(command, sim.timeMs()), sim.timeMs());
        sim.step();
        txDrops(sim, 7, 44);

        List<TuningCommand> commands = commandsFor("gw-rollback", 2);
        assertEquals(2, commands.size(), commands.toString());
        TuningCommand rollback = commands.get(1);
        assertEquals(command.getCommandId(), rollback.getRollbackOf());
        assertEquals("1000", rollback.getNewValue());
        assertEquals("2000", rollback.getExpectedValue());
        assertTrue(rollback.getSequence() > command.getSequence());
        assertTrue(new CommandSignatureVerifier(List.of(KEYS.getPublic())).isValid(rollback));
        List<CommandOutcome> outcomes = kafka.readUntil(kafka.topics.commandOutcomes,
                        records -> records.stream().anyMatch(r -> "gw-rollback".equals(r.key())), WAIT)
                .stream().filter(r -> "gw-rollback".equals(r.key())).map(ConsumerRecord::value).toList();
        assertFalse(outcomes.isEmpty());
        assertEquals(Verdict.ROLLED_BACK, outcomes.get(0).getOutcome());
    }
}
