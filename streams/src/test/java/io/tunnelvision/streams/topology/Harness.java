package io.tunnelvision.streams.topology;

import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.avro.Decision;
import io.tunnelvision.schemas.avro.CommandOutcome;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.Hotspot;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.KernelRates;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.LatencySample;
import io.tunnelvision.schemas.avro.LinkRates;
import io.tunnelvision.schemas.avro.LinkSample;
import io.tunnelvision.schemas.avro.PmtuSample;
import io.tunnelvision.schemas.avro.SoftnetRates;
import io.tunnelvision.schemas.avro.SoftnetSample;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.avro.QdiscSample;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.WireguardSample;
import io.tunnelvision.schemas.sign.CommandSignatureVerifier;
import io.tunnelvision.schemas.sign.CommandSigner;
import io.tunnelvision.schemas.sign.DecisionSignatureVerifier;
import io.tunnelvision.schemas.sign.DecisionSigner;
import io.tunnelvision.schemas.sign.Ed25519Keys;
import io.tunnelvision.schemas.sign.KeyRing;
import io.tunnelvision.schemas.topic.Topic;
import io.tunnelvision.schemas.topic.Topics;
import io.tunnelvision.streams.fleet.DecisionCheck;
import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.plan.PlannerSettings;
import io.tunnelvision.rules.plan.RemediationPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The whole topology in a TopologyTestDriver, with typed inputs and outputs, the planner's public key and the api's
 * decision key. The driver's wall clock (the gate's clock for sequences and the age of decisions) starts at the
 * real time and moves only when a test advances it.
 */
public final class Harness implements AutoCloseable {

    public static final Duration DECISION_MAX_AGE = Duration.ofMinutes(10);

    public final Topics topics = Topics.inNamespace("ttd");
    /** The planner's key. */
    public final KeyPair keys;
    public final CommandSignatureVerifier verifier;
    /** The api's key, whose decisions the gate trusts. */
    public final KeyPair apiKeys = Ed25519Keys.generate();
    private final TopologyTestDriver driver;
    private final Path stateDir;
    private long wallClockMs;

    public final TestOutputTopic<String, InterruptRates> interruptRates;
    public final TestOutputTopic<String, SoftnetRates> softnetRates;
    public final TestOutputTopic<String, LinkRates> linkRates;
    public final TestOutputTopic<String, KernelRates> kernelRates;
    public final TestOutputTopic<String, Hotspot> hotspots;
    public final TestOutputTopic<String, TuningCommand> commands;
    public final TestOutputTopic<String, TuningCommand> proposals;
    public final TestOutputTopic<String, CommandOutcome> outcomes;
    public final TestOutputTopic<byte[], byte[]> deadLetters;

    public Harness() {
        this(DetectionThresholds.defaults(), PlannerSettings.defaults());
    }

    public Harness(DetectionThresholds thresholds, PlannerSettings planner) {
        this(thresholds, planner, RemediationPolicy.defaults());
    }

    public Harness(DetectionThresholds thresholds, PlannerSettings planner, RemediationPolicy policy) {
        this(thresholds, planner, policy, System.currentTimeMillis(), Ed25519Keys.generate());
    }

    /**
     * @param wallClockMs where the driver's wall clock starts (a later start: a gate restarted later)
     * @param plannerKeys the planner's key pair (the same one again: the same planner after a reset)
     */
    public Harness(DetectionThresholds thresholds, PlannerSettings planner, RemediationPolicy policy,
                   long wallClockMs, KeyPair plannerKeys) {
        this.wallClockMs = wallClockMs;
        this.keys = plannerKeys;
        this.verifier = new CommandSignatureVerifier(List.of(keys.getPublic()));
        try {
            stateDir = Files.createTempDirectory("tv-ttd-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "ttd");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        DecisionCheck decisions = new DecisionCheck(new DecisionSignatureVerifier(
                KeyRing.of(List.of(apiKeys.getPublic()))), DECISION_MAX_AGE);
        driver = new TopologyTestDriver(new TunnelvisionTopology(topics, thresholds, policy, planner,
                CommandSigner.of(keys), decisions).build(), props, Instant.ofEpochMilli(wallClockMs));
        interruptRates = output(topics.interruptRates);
        softnetRates = output(topics.softnetRates);
        linkRates = output(topics.linkRates);
        kernelRates = output(topics.kernelRates);
        hotspots = output(topics.hotspots);
        commands = output(topics.commands);
        proposals = output(topics.commandProposals);
        outcomes = output(topics.commandOutcomes);
        deadLetters = driver.createOutputTopic(topics.deadLetters.name(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    /** The driver's wall clock: the gate's clock. */
    public long wallClockMs() {
        return wallClockMs;
    }

    public void advanceWallClock(Duration by) {
        driver.advanceWallClockTime(by);
        wallClockMs += by.toMillis();
    }

    /** An operator's decision on {@code proposal} as the api makes it: by a token's name, now, signed with its key. */
    public CommandDecision decision(TuningCommand proposal, Decision decision, String operator) {
        return DecisionSigner.of(apiKeys).sign(CommandDecision.newBuilder().setCommandId(proposal.getCommandId())
                .setHostId(proposal.getHostId()).setDecision(decision).setOperator(operator).setReason(null)
                .setTimeMs(wallClockMs).build());
    }

    /** The app's own metric of refused decisions with this reason label, 0 when none was counted yet. */
    public double refusedDecisions(String reason) {
        return driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("decisions-refused-total")
                        && e.getKey().group().equals("tunnelvision-gate")
                        && reason.equals(e.getKey().tags().get("reason")))
                .mapToDouble(e -> (Double) e.getValue().metricValue()).sum();
    }

    /**
     * The app's own count {@code name} in group {@code tunnelvision-streams} whose labels include {@code tags},
     * summed; empty when no such series is registered.
     */
    public java.util.OptionalDouble outputCount(String name, Map<String, String> tags) {
        List<Double> values = driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals(name) && e.getKey().group().equals("tunnelvision-streams")
                        && e.getKey().tags().entrySet().containsAll(tags.entrySet()))
                .map(e -> (Double) e.getValue().metricValue()).toList();
        return values.isEmpty() ? java.util.OptionalDouble.empty()
                : java.util.OptionalDouble.of(values.stream().mapToDouble(Double::doubleValue).sum());
    }

    /** Pipes a sample, result or decision to its topic with its host as key, at {@code timeMs}. */
    public void pipe(String host, SpecificRecord value, long timeMs) {
        if (value instanceof InterruptSample v) {
            input(topics.interruptSamples).pipeInput(host, v, timeMs);
        } else if (value instanceof SoftnetSample v) {
            input(topics.softnetSamples).pipeInput(host, v, timeMs);
        } else if (value instanceof LinkSample v) {
            input(topics.linkSamples).pipeInput(host, v, timeMs);
        } else if (value instanceof KernelSettingsSample v) {
            input(topics.kernelSettingsSamples).pipeInput(host, v, timeMs);
        } else if (value instanceof InterfaceConfigSample v) {
            input(topics.interfaceConfigSamples).pipeInput(host, v, timeMs);
        } else if (value instanceof LatencySample v) {
            input(topics.latencySamples).pipeInput(host, v, timeMs);
        } else if (value instanceof WireguardSample v) {
            input(topics.wireguardSamples).pipeInput(host, v, timeMs);
        } else if (value instanceof PmtuSample v) {
            input(topics.pmtuSamples).pipeInput(host, v, timeMs);
        } else if (value instanceof QdiscSample v) {
            input(topics.qdiscSamples).pipeInput(host, v, timeMs);
        } else if (value instanceof NicSample v) {
            input(topics.nicSamples).pipeInput(host, v, timeMs);
        } else if (value instanceof CommandResult v) {
            input(topics.commandResults).pipeInput(host, v, timeMs);
        } else if (value instanceof CommandDecision v) {
            input(topics.commandDecisions).pipeInput(host, v, timeMs);
        } else {
            throw new IllegalArgumentException("no input topic for " + value.getClass());
        }
    }

    public void pipe(GatewaySim sim, SpecificRecord value) {
        pipe(sim.host(), value, sim.timeMs());
    }

    /**
     * The sim's host gets a tun0 whose queue is {@code txQueueLen}, then {@code intervals} intervals of tx drops on
     * it with idle CPUs: five open the hotspot, which the planner answers with a txqueuelen step.
     */
    public void txDropsOnTun0(GatewaySim sim, int txQueueLen, int intervals) {
        pipe(sim, sim.interfaces(GatewaySim.tunnel("tun0", InterfaceKind.TUN, 1400, txQueueLen, "0", "eth0"),
                GatewaySim.physical("eth0", 1500)));
        for (int i = 0; i < intervals; i++) {
            pipe(sim, sim.interrupts(2000, 0, 0.5, 0.1));
            pipe(sim, sim.link("tun0", 40, 0));
            sim.step();
        }
    }

    public void pipeRaw(String topic, byte[] value, long timeMs) {
        driver.createInputTopic(topic, new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer()).pipeInput("gw-poison", value, timeMs);
    }

    public static CommandResult applied(TuningCommand command, long timeMs) {
        return result(command, CommandStatus.APPLIED, timeMs);
    }

    public static CommandResult result(TuningCommand command, CommandStatus status, long timeMs) {
        return CommandResult.newBuilder().setCommandId(command.getCommandId()).setHostId(command.getHostId())
                .setStatus(status).setValueBefore(command.getExpectedValue()).setValueAfter(command.getNewValue())
                .setTimeMs(timeMs).build();
    }

    private <V> TestInputTopic<String, V> input(Topic<String, V> topic) {
        return driver.createInputTopic(topic.name(), topic.keySerde().serializer(), topic.valueSerde().serializer());
    }

    private <V> TestOutputTopic<String, V> output(Topic<String, V> topic) {
        return driver.createOutputTopic(topic.name(), topic.keySerde().deserializer(), topic.valueSerde().deserializer());
    }

    /**
     * Copies every store's contents into {@code other}'s stores: what a new instance restores from the changelogs
     * after a fail-over (stores are written through on every record, so the copy must carry on where this stopped).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void copyStateTo(Harness other) {
        driver.getAllStateStores().forEach((name, store) -> {
            KeyValueStore target = other.driver.getKeyValueStore(name);
            try (KeyValueIterator<Object, Object> it = ((KeyValueStore<Object, Object>) store).all()) {
                it.forEachRemaining(entry -> target.put(entry.key, entry.value));
            }
        });
    }

    @Override
    public void close() {
        driver.close();
        try (var files = Files.walk(stateDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind is harmless
        }
    }
}
