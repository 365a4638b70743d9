package io.tunnelvision.schemas.topic;

import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.avro.CommandOutcome;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.Hotspot;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.KernelRates;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.LatencySample;
import io.tunnelvision.schemas.avro.LinkRates;
import io.tunnelvision.schemas.avro.LinkSample;
import io.tunnelvision.schemas.avro.SoftnetRates;
import io.tunnelvision.schemas.avro.SoftnetSample;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.PmtuSample;
import io.tunnelvision.schemas.avro.QdiscSample;
import io.tunnelvision.schemas.avro.WireguardSample;
import io.tunnelvision.schemas.codec.AvroSerde;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every topic of Tunnelvision. Samples, hotspots, commands and results are keyed by host id, so one host's
 * records stay in order on one partition and an agent can read just its own partition of the control topic.
 *
 * <p>An instance may carry a namespace that prefixes every name: two environments can share a cluster, and
 * tests isolate themselves on one shared broker by using a fresh namespace each.
 */
public final class Topics {

    /** Enough partitions to spread hundreds of gateways over several streams instances. */
    static final int SAMPLE_PARTITIONS = 12;
    static final String PREFIX = "tunnelvision-";

    private static final Pattern NAMESPACE = Pattern.compile("([a-z0-9]+([.-][a-z0-9]+)*)?");
    private static final Duration SAMPLE_RETENTION = Duration.ofDays(2);
    private static final Duration EVENT_RETENTION = Duration.ofDays(30);

    private final String namespace;
    public final Topic<String, InterruptSample> interruptSamples;
    public final Topic<String, SoftnetSample> softnetSamples;
    public final Topic<String, LinkSample> linkSamples;
    public final Topic<String, InterfaceConfigSample> interfaceConfigSamples;
    public final Topic<String, KernelSettingsSample> kernelSettingsSamples;
    public final Topic<String, LatencySample> latencySamples;
    /** Each WireGuard interface's peers: handshake, transfer counters, endpoint. */
    public final Topic<String, WireguardSample> wireguardSamples;
    /** Path-MTU probe ladders through each tunnel. */
    public final Topic<String, PmtuSample> pmtuSamples;
    /** Every qdisc's counters and backlog, and the transmit queues' byte queue limits. */
    public final Topic<String, QdiscSample> qdiscSamples;
    /** NIC rings, channels, coalescing, offloads and drop counters (ethtool). */
    public final Topic<String, NicSample> nicSamples;
    public final Topic<String, InterruptRates> interruptRates;
    public final Topic<String, SoftnetRates> softnetRates;
    public final Topic<String, LinkRates> linkRates;
    public final Topic<String, KernelRates> kernelRates;
    public final Topic<String, Hotspot> hotspots;
    /** Signed commands for the agents, keyed by target host. */
    public final Topic<String, TuningCommand> commands;
    /** Commands the planner would issue, waiting for an operator (approval mode). */
    public final Topic<String, TuningCommand> commandProposals;
    public final Topic<String, CommandDecision> commandDecisions;
    public final Topic<String, CommandResult> commandResults;
    public final Topic<String, CommandOutcome> commandOutcomes;
    /** Poison records as they arrived, with headers saying where from and why. */
    public final Topic<byte[], byte[]> deadLetters;

    private Topics(String namespace) {
        if (!NAMESPACE.matcher(namespace).matches()) {
            throw new IllegalArgumentException("topic namespace '" + namespace
                    + "' must be empty or lowercase letters, digits, dots and dashes");
        }
        this.namespace = namespace;
        interruptSamples = sample("samples-interrupts", InterruptSample.class);
        softnetSamples = sample("samples-softnet", SoftnetSample.class);
        linkSamples = sample("samples-link", LinkSample.class);
        interfaceConfigSamples = sample("samples-interface-config", InterfaceConfigSample.class);
        kernelSettingsSamples = sample("samples-kernel-settings", KernelSettingsSample.class);
        latencySamples = sample("samples-latency", LatencySample.class);
        wireguardSamples = sample("samples-wireguard", WireguardSample.class);
        pmtuSamples = sample("samples-pmtu", PmtuSample.class);
        qdiscSamples = sample("samples-qdisc", QdiscSample.class);
        nicSamples = sample("samples-nic", NicSample.class);
        interruptRates = sample("rates-interrupts", InterruptRates.class);
        softnetRates = sample("rates-softnet", SoftnetRates.class);
        linkRates = sample("rates-link", LinkRates.class);
        kernelRates = sample("rates-kernel", KernelRates.class);
        hotspots = event("hotspots", Hotspot.class);
        commands = event("commands", TuningCommand.class);
        commandProposals = event("command-proposals", TuningCommand.class);
        commandDecisions = event("command-decisions", CommandDecision.class);
        commandResults = event("command-results", CommandResult.class);
        commandOutcomes = event("command-outcomes", CommandOutcome.class);
        deadLetters = new Topic<>(name("dead-letters"), Serdes.ByteArray(), Serdes.ByteArray(),
                1, EVENT_RETENTION, false);
    }

    /** The production layout: names start with {@value #PREFIX}. */
    public static Topics standard() {
        return new Topics("");
    }

    /** Names start with {@code namespace.} then {@value #PREFIX}; an empty namespace is {@link #standard()}. */
    public static Topics inNamespace(String namespace) {
        return new Topics(namespace);
    }

    public String namespace() {
        return namespace;
    }

    /**
     * What the consumer group of every agent's command reader starts with ({@code ...tunnelvision-agent-HOST}):
     * one ACL on this prefix lets each agent keep its offsets, whatever its host id.
     */
    public String agentGroupPrefix() {
        return name("agent-");
    }

    public List<Topic<?, ?>> all() {
        return List.of(interruptSamples, softnetSamples, linkSamples, interfaceConfigSamples, kernelSettingsSamples,
                latencySamples, wireguardSamples, pmtuSamples, qdiscSamples, nicSamples, interruptRates, softnetRates, linkRates, kernelRates, hotspots, commands,
                commandProposals, commandDecisions, commandResults, commandOutcomes, deadLetters);
    }

    private <V extends org.apache.avro.specific.SpecificRecord> Topic<String, V> sample(String suffix, Class<V> type) {
        Serde<V> serde = AvroSerde.of(type);
        return new Topic<>(name(suffix), Serdes.String(), serde, SAMPLE_PARTITIONS, SAMPLE_RETENTION, false);
    }

    private <V extends org.apache.avro.specific.SpecificRecord> Topic<String, V> event(String suffix, Class<V> type) {
        return new Topic<>(name(suffix), Serdes.String(), AvroSerde.of(type), SAMPLE_PARTITIONS, EVENT_RETENTION,
                false);
    }

    private String name(String suffix) {
        return (namespace.isEmpty() ? "" : namespace + ".") + PREFIX + suffix;
    }
}
