package io.tunnelvision.streams.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.plan.PlannerSettings;
import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.avro.CommandOutcome;
import io.tunnelvision.schemas.avro.Decision;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.ManualCommand;
import io.tunnelvision.schemas.avro.Nic;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.Qdisc;
import io.tunnelvision.schemas.avro.QdiscSample;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.avro.Verdict;
import io.tunnelvision.schemas.codec.AvroCodec;
import io.tunnelvision.schemas.sign.DecisionSigner;
import io.tunnelvision.schemas.sign.SignatureVerdict;
import io.tunnelvision.schemas.topic.DeadLetterHeaders;
import io.tunnelvision.streams.topology.GatewaySim;
import io.tunnelvision.streams.topology.Harness;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A command an operator issues by hand goes through the same gate as the planner's: its request must be signed by
 * the api, its value within the catalog's bounds and its current value known; it is then signed with the planner's
 * key and a fresh sequence, and watched like any change. Every refusal is dead-lettered and counted.
 */
class ManualCommandTopologyTest {

    private Harness harness;
    private GatewaySim sim;

    @BeforeEach
    void givenAGatewayThatReportedItsSettings() {
        harness = new Harness(DetectionThresholds.defaults(), PlannerSettings.defaults());
        sim = new GatewaySim("gw-1", 4);
        harness.pipe(sim, sim.interfaces(GatewaySim.tunnel("tun0", InterfaceKind.TUN, 1400, 1000, "0", "eth0"),
                GatewaySim.physical("eth0", 1500)));
        harness.pipe(sim, sim.kernel(0, 0));
        sim.step();
    }

    @AfterEach
    void close() {
        harness.close();
    }

    private CommandDecision request(String action, String target, String value) {
        return DecisionSigner.of(harness.apiKeys).sign(CommandDecision.newBuilder()
                .setCommandId("manual-" + UUID.randomUUID()).setHostId("gw-1").setDecision(Decision.APPROVE)
                .setOperator("alice").setReason("change window 42").setTimeMs(harness.wallClockMs())
                .setManual(ManualCommand.newBuilder().setAction(action).setTarget(target).setNewValue(value).build())
                .build());
    }

    private void send(CommandDecision decision) {
        harness.pipe("gw-1", decision, sim.timeMs());
    }

    private void assertRefused(CommandDecision decision, String reason) {
        assertTrue(harness.commands.isEmpty(), "no command");
        TestRecord<byte[], byte[]> dead = harness.deadLetters.readRecord();
        assertEquals(harness.topics.commandDecisions.name(), header(dead, DeadLetterHeaders.SOURCE_TOPIC));
        assertTrue(header(dead, DeadLetterHeaders.ERROR).startsWith("DecisionRefused: " + reason + ": "),
                header(dead, DeadLetterHeaders.ERROR));
        assertEquals(decision.getCommandId(), AvroCodec.of(CommandDecision.class).decode(dead.value()).getCommandId());
        assertEquals(1.0, harness.refusedDecisions(reason), "counted under " + reason);
        assertTrue(harness.deadLetters.isEmpty());
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Test
    void aSysctlByHandIsSignedWithTheExpectedValueTheHostReported() {
        CommandDecision request = request("NETDEV_MAX_BACKLOG", "host", "2000");

        send(request);

        TuningCommand command = harness.commands.readValue();
        assertEquals(request.getCommandId(), command.getCommandId());
        assertEquals(TuningAction.NETDEV_MAX_BACKLOG, command.getAction());
        assertEquals("1000", command.getExpectedValue(), "the host's netdev_max_backlog as last reported");
        assertEquals("2000", command.getNewValue());
        assertNull(command.getHotspotId());
        assertTrue(command.getReason().startsWith("by hand, alice: change window 42;"), command.getReason());
        assertTrue(command.getSequence() > 0, "a fresh sequence");
        assertEquals(SignatureVerdict.VALID, harness.verifier.verify(command), "signed with the planner's key");
        assertTrue(harness.deadLetters.isEmpty());
    }

    @Test
    void anInterfaceSettingByHandComparesWithTheInterfacesValue() {
        send(request("txqueuelen", "tun0", "2000"));

        TuningCommand command = harness.commands.readValue();
        assertEquals(TuningAction.TXQUEUELEN, command.getAction());
        assertEquals("1000", command.getExpectedValue());
    }

    @Test
    void rpFilterByHandIsReadFromTheKernelSettings() {
        KernelSettingsSample strict = sim.kernel(0, 0);
        strict.setRpFilter(Map.of("all", 1, "eth0", 1));
        harness.pipe(sim, strict);
        sim.step();

        send(request("RP_FILTER", "all", "2"));

        TuningCommand command = harness.commands.readValue();
        assertEquals("1", command.getExpectedValue(), "net.ipv4.conf.all.rp_filter as last reported");
        assertEquals("2", command.getNewValue());
    }

    @Test
    void aNicRingByHandComparesWithTheRingTheNicSampleShows() {
        Nic eth0 = new Nic();
        eth0.setInterface$("eth0");
        eth0.setDriver("ena");
        eth0.setRxRing(1024);
        eth0.setRxRingMax(16384);
        eth0.setFeatures(new HashMap<>());
        eth0.setCounters(new HashMap<>());
        eth0.setQueues(new ArrayList<>());
        harness.pipe(sim, new NicSample(sim.header(), new ArrayList<>(List.of(eth0))));
        sim.step();

        send(request("RX_RING", "eth0", "4096"));
        TuningCommand ring = harness.commands.readValue();
        assertEquals(TuningAction.RX_RING, ring.getAction());
        assertEquals("1024", ring.getExpectedValue(), "the ring as the NIC sample shows it");
        assertEquals("4096", ring.getNewValue());
    }

    @Test
    void aRootQdiscByHandIsReadFromTheQdiscSampleAndOnlyFqCodelOrPfifoFast() {
        harness.pipe(sim, new QdiscSample(sim.header(), new ArrayList<>(List.of(new Qdisc("eth0", "pfifo_fast", "0:",
                null, 0L, 0L, 0L, 0L, 0L, 0L, 0L))), new ArrayList<>()));
        sim.step();

        CommandDecision shaper = request("ROOT_QDISC", "eth0", "htb");
        send(shaper);
        assertRefused(shaper, "out_of_bounds");

        send(request("ROOT_QDISC", "eth0", "fq_codel"));
        TuningCommand command = harness.commands.readValue();
        assertEquals(TuningAction.ROOT_QDISC, command.getAction());
        assertEquals("pfifo_fast", command.getExpectedValue(), "eth0's root as the qdisc sample shows it");
        assertEquals("fq_codel", command.getNewValue());
    }

    @Test
    void aValueOutsideTheCatalogsBoundsIsRefused() {
        CommandDecision request = request("NETDEV_MAX_BACKLOG", "host", "500000");

        send(request);

        assertRefused(request, "out_of_bounds");
    }

    @Test
    void aNicSettingBeforeTheHostsFirstNicSampleIsRefused() {
        CommandDecision request = request("COALESCE_RX_USECS", "eth0", "50");

        send(request);

        assertRefused(request, "no_current_value");
    }

    @Test
    void anUnknownInterfaceHasNoCurrentValue() {
        CommandDecision request = request("MTU", "wg9", "1380");

        send(request);

        assertRefused(request, "no_current_value");
    }

    @Test
    void anUnknownActionIsRefused() {
        CommandDecision request = request("REBOOT", "host", "now");

        send(request);

        assertRefused(request, "unknown_action");
    }

    @Test
    void aRequestNotSignedByTheApiIsRefused() {
        CommandDecision request = CommandDecision.newBuilder(request("TXQUEUELEN", "tun0", "2000")).setKeyId(null)
                .setSignature(null).build();

        send(request);

        assertRefused(request, "unsigned");
    }

    @Test
    void aReplayedRequestIssuesNothingMore() {
        CommandDecision request = request("TXQUEUELEN", "tun0", "2000");
        send(request);
        harness.commands.readValue();

        send(request);

        assertRefused(request, "already_decided");
    }

    @Test
    void aChangeByHandThatDoesHarmIsRolledBack() {
        send(request("TXQUEUELEN", "tun0", "2000"));
        TuningCommand command = harness.commands.readValue();
        for (int i = 0; i < 5; i++) {
            harness.pipe(sim, sim.link("tun0", 0, 0));
            sim.step();
        }

        harness.pipe(sim, Harness.applied(command, sim.timeMs()));
        for (int i = 0; i < 6; i++) {
            sim.step();
            harness.pipe(sim, sim.link("tun0", 500, 0));
        }

        CommandOutcome outcome = harness.outcomes.readValue();
        assertEquals(command.getCommandId(), outcome.getCommandId());
        assertEquals(Verdict.ROLLED_BACK, outcome.getOutcome());
        TuningCommand rollback = harness.commands.readValue();
        assertEquals(command.getCommandId(), rollback.getRollbackOf());
        assertEquals("1000", rollback.getNewValue());
    }

    @Test
    void aChangeByHandThatDoesNoHarmIsVerified() {
        send(request("TXQUEUELEN", "tun0", "2000"));
        TuningCommand command = harness.commands.readValue();
        harness.pipe(sim, sim.link("tun0", 0, 0));
        sim.step();

        harness.pipe(sim, Harness.applied(command, sim.timeMs()));
        for (int i = 0; i < 6; i++) {
            sim.step();
            harness.pipe(sim, sim.link("tun0", 0, 0));
        }

        CommandOutcome outcome = harness.outcomes.readValue();
        assertEquals(Verdict.VERIFIED, outcome.getOutcome());
        assertTrue(harness.commands.isEmpty());
    }
}
