package io.tunnelvision.streams.topology;

import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.avro.CommandOutcome;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.Hotspot;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.KernelRates;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.LatencySample;
import io.tunnelvision.schemas.avro.LinkRates;
import io.tunnelvision.schemas.avro.LinkSample;
import io.tunnelvision.schemas.avro.SoftnetRates;
import io.tunnelvision.schemas.avro.SoftnetSample;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.sign.CommandSignatureVerifier;
import io.tunnelvision.schemas.sign.CommandSigner;
import io.tunnelvision.schemas.sign.Ed25519Keys;
import io.tunnelvision.schemas.topic.Topic;
import io.tunnelvision.schemas.topic.Topics;
import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.plan.PlannerSettings;
import io.tunnelvision.rules.plan.RemediationPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/** The whole topology in a TopologyTestDriver, with typed inputs and outputs and the planner's public key. */
public final class Harness implements AutoCloseable {

    public final Topics topics = Topics.inNamespace("ttd");
    public final KeyPair keys = Ed25519Keys.generate();
    public final CommandSignatureVerifier verifier = new CommandSignatureVerifier(List.of(keys.getPublic()));
    private final TopologyTestDriver driver;
    private final Path stateDir;

    public final TestOutputTopic<String, InterruptRates> interruptRates;
    public final TestOutputTopic<String, SoftnetRates> softnetRates;
    public final TestOutputTopic<String, LinkRates> linkRates;
    public final TestOutputTopic<String, KernelRates> kernelRates;
    public final TestOutputTopic<String, Hotspot> hotspots;
    public final TestOutputTopic<String, TuningCommand> commands;
    public final TestOutputTopic<String, TuningCommand> proposals;
    public final TestOutputTopic<String, CommandOutcome> outcomes;

    public Harness() {
        this(DetectionThresholds.defaults(), PlannerSettings.defaults());
    }

    public Harness(DetectionThresholds thresholds, PlannerSettings planner) {
        this(thresholds, planner, RemediationPolicy.defaults());
    }

    public Harness(DetectionThresholds thresholds, PlannerSettings planner, RemediationPolicy policy) {
        try {
            stateDir = Files.createTempDirectory("tv-ttd-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "ttd");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(new TunnelvisionTopology(topics, thresholds, policy, planner,
                CommandSigner.of(keys)).build(), props);
        interruptRates = output(topics.interruptRates);
        softnetRates = output(topics.softnetRates);
        linkRates = output(topics.linkRates);
        kernelRates = output(topics.kernelRates);
        hotspots = output(topics.hotspots);
        commands = output(topics.commands);
        proposals = output(topics.commandProposals);
        outcomes = output(topics.commandOutcomes);
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
