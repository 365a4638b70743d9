package io.tunnelvision.streams.topology;

import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.avro.CommandOutcome;
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
import io.tunnelvision.schemas.avro.PmtuSample;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.QdiscSample;
import io.tunnelvision.schemas.avro.WireguardSample;
import io.tunnelvision.schemas.codec.AvroSerde;
import io.tunnelvision.schemas.sign.CommandSigner;
import io.tunnelvision.schemas.topic.Topic;
import io.tunnelvision.schemas.topic.Topics;
import io.tunnelvision.streams.avro.FleetTypeState;
import io.tunnelvision.streams.avro.GateState;
import io.tunnelvision.streams.avro.HostMetrics;
import io.tunnelvision.streams.fleet.DecisionCheck;
import io.tunnelvision.rules.avro.HostState;
import io.tunnelvision.rules.avro.Track;
import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.plan.PlannerSettings;
import io.tunnelvision.rules.plan.RemediationPolicy;
import io.tunnelvision.streams.state.AnyRecordSerde;
import io.tunnelvision.streams.state.GeneratedCodeSerde;
import io.tunnelvision.streams.state.InternalSerdes;
import io.tunnelvision.streams.topology.Outbound.Destination;
import java.util.List;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The whole app as one topology:
 * <pre>
 *  samples-* + command-results ──(by host, 12 partitions)──▶ host stage ──▶ rates-*, hotspots, command-outcomes,
 *  + commands by hand (command-decisions with a manual command)  │             refused commands by hand ──▶ dead-letters
 *          command-decisions ──▶ (re-keyed "fleet", 1 partition) ◀┘ hotspots, headline rates, candidates,
 *                                        │                          outcomes, settled results
 *                                        ▼
 *                                   fleet stage ──▶ hotspots (fleet, outliers), commands | command-proposals,
 *                                                   refused decisions ──▶ dead-letters
 * </pre>
 * Every store is persistent (RocksDB, changelogged): it holds hysteresis streaks, cooldowns, pending
 * verifications and the gate's counters, which must survive a restart or a fail-over to another instance
 * without a replay of the input, and a local copy means a restarted instance does not re-read its changelogs.
 * Every store is also cached: most keys (a host's previous sample and state, the fleet's per-host metrics and
 * outlier tracks) are rewritten on every sample, and the cache sends only each key's last value per commit to
 * the changelog instead of one changelog record per write. Under exactly-once the cache is flushed before each
 * commit, so the changelog still matches the committed input offsets.
 */
public final class TunnelvisionTopology {

    /** Last accepted sample per host and kind: the baseline of the next rate. */
    public static final String PREVIOUS_INTERRUPTS = "previous-interrupts";
    public static final String PREVIOUS_SOFTNET = "previous-softnet";
    public static final String PREVIOUS_LINK = "previous-link";
    /**
     * WireGuard peers: kept as the baseline until {@code tunnelTrafficWindow} has passed, so that a peer's tx
     * staying flat over the interval tells idleness from handshakes retried every 5 s.
     */
    public static final String PREVIOUS_WIREGUARD = "previous-wireguard";
    /**
     * Path-MTU probes: the first sample of the host's latest probing. The agent publishes the latest probing's
     * paths every round, so equal paths are one probing; its first sample's time is when that probing's result
     * began to hold, which tells the verifier whether a probe came after a change.
     */
    public static final String PMTU_PROBING = "pmtu-probing";
    /** Path-MTU probes: the host's latest sample, so that a duplicate or an older one is not taken for a round. */
    public static final String LATEST_PMTU = "latest-pmtu";
    /** Qdiscs: the previous sample (one every 30 rounds of the agent), the baseline of the queues' rates. */
    public static final String PREVIOUS_QDISC = "previous-qdisc";
    /**
     * NICs: the previous sample (one every 30 rounds of the agent, and one right after a command), the baseline of
     * the ring drop rates; its rings, channels and coalescing are also the planner's expected values.
     */
    public static final String PREVIOUS_NIC = "previous-nic";
    /** Also the planner's view of the host's sysctls (expected values). */
    public static final String PREVIOUS_KERNEL = "previous-kernel";
    /** Latest interface settings per host: tunnels, RPS masks, MTUs, the planner's expected values. */
    public static final String LATEST_INTERFACE_CONFIG = "latest-interface-config";
    /** Latest probe results per host, for the MTU check. */
    public static final String LATEST_LATENCY = "latest-latency";
    /** Latest interrupt rates per host: whether its CPUs are saturated when its links drop. */
    public static final String LATEST_INTERRUPT_RATES = "latest-interrupt-rates";
    /** Latest link rates per host: whether a tunnel carries the traffic that the host's fragments come from. */
    public static final String LATEST_LINK_RATES = "latest-link-rates";
    /** Hysteresis tracks, cooldowns and pending verifications per host. */
    public static final String HOST_STATE = "host-state";
    /** Fleet stage: per hotspot type, the hosts that have it and the fleet hotspot with its canaries. */
    public static final String FLEET_TYPES = "fleet-types";
    /** Fleet stage: each host's latest headline rates, the population of the outlier check. */
    public static final String FLEET_HOST_METRICS = "fleet-host-metrics";
    /** Fleet stage: hysteresis of each (metric, host) outlier; only a bad streak or an open one keeps a track. */
    public static final String FLEET_OUTLIER_TRACKS = "fleet-outlier-tracks";
    /** Gate: command sequence and unverified commands. */
    public static final String GATE = "gate";
    /** Gate: commands waiting for capacity or for their canaries. */
    public static final String GATE_HELD = "gate-held";
    /** Gate: proposals waiting for an operator (approval mode). */
    public static final String GATE_PROPOSALS = "gate-proposals";
    /** Gate: command ids already decided, so a decision is used once; kept while such a decision could be recent. */
    public static final String GATE_DECIDED = "gate-decided";

    static final String FLEET_KEY = "fleet";
    static final String FLEET_REPARTITION = "fleet";

    private final Topics topics;
    private final DetectionThresholds thresholds;
    private final RemediationPolicy policy;
    private final PlannerSettings plannerSettings;
    private final CommandSigner signer;
    private final DecisionCheck decisionCheck;

    /** A topology whose gate refuses every decision: for the planner modes that never propose (auto, off). */
    public TunnelvisionTopology(Topics topics, DetectionThresholds thresholds, RemediationPolicy policy,
                                PlannerSettings plannerSettings, CommandSigner signer) {
        this(topics, thresholds, policy, plannerSettings, signer, DecisionCheck.refusingAll());
    }

    /** @param decisionCheck which operator decisions the gate acts on: the api keys it trusts and their max age */
    public TunnelvisionTopology(Topics topics, DetectionThresholds thresholds, RemediationPolicy policy,
                                PlannerSettings plannerSettings, CommandSigner signer, DecisionCheck decisionCheck) {
        this.topics = Objects.requireNonNull(topics, "topics");
        this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.plannerSettings = Objects.requireNonNull(plannerSettings, "plannerSettings");
        this.signer = Objects.requireNonNull(signer, "signer");
        this.decisionCheck = Objects.requireNonNull(decisionCheck, "decisionCheck");
    }

    public Topology build() {
        StreamsBuilder builder = new StreamsBuilder();
        addHostStores(builder);
        addFleetStores(builder);

        // an operator's command by hand needs the host's latest samples (its expected value) and its verification:
        // it goes to the host stage; decisions on proposals go to the gate, which holds the proposals
        KStream<String, SpecificRecord> decisions = source(builder, topics.commandDecisions);
        KStream<String, SpecificRecord> hostInput = source(builder, topics.interruptSamples)
                .merge(source(builder, topics.softnetSamples), Named.as("merge-softnet"))
                .merge(source(builder, topics.linkSamples), Named.as("merge-link"))
                .merge(source(builder, topics.kernelSettingsSamples), Named.as("merge-kernel"))
                .merge(source(builder, topics.interfaceConfigSamples), Named.as("merge-interface-config"))
                .merge(source(builder, topics.latencySamples), Named.as("merge-latency"))
                .merge(source(builder, topics.wireguardSamples), Named.as("merge-wireguard"))
                .merge(source(builder, topics.pmtuSamples), Named.as("merge-pmtu"))
                .merge(source(builder, topics.qdiscSamples), Named.as("merge-qdisc"))
                .merge(source(builder, topics.nicSamples), Named.as("merge-nic"))
                .merge(source(builder, topics.commandResults), Named.as("merge-results"))
                .merge(decisions.filter((host, d) -> isManual(d), Named.as("select-manual-commands")),
                        Named.as("merge-manual-commands"));
        KStream<String, Outbound> hostOutput = hostInput.process(
                () -> new HostProcessor(thresholds, policy, plannerSettings, decisionCheck,
                        topics.commandDecisions.name()), Named.as("host-stage"),
                PREVIOUS_INTERRUPTS, PREVIOUS_SOFTNET, PREVIOUS_LINK, PREVIOUS_KERNEL, LATEST_INTERFACE_CONFIG,
                LATEST_LATENCY, LATEST_INTERRUPT_RATES, LATEST_LINK_RATES, PREVIOUS_WIREGUARD, LATEST_PMTU,
                PMTU_PROBING, PREVIOUS_QDISC, PREVIOUS_NIC, HOST_STATE);
        route(hostOutput, Destination.INTERRUPT_RATES, topics.interruptRates, InterruptRates.class);
        route(hostOutput, Destination.SOFTNET_RATES, topics.softnetRates, SoftnetRates.class);
        route(hostOutput, Destination.LINK_RATES, topics.linkRates, LinkRates.class);
        route(hostOutput, Destination.KERNEL_RATES, topics.kernelRates, KernelRates.class);
        route(hostOutput, Destination.HOTSPOTS, topics.hotspots, Hotspot.class);
        route(hostOutput, Destination.OUTCOMES, topics.commandOutcomes, CommandOutcome.class);
        routeRefusedDecisions(hostOutput, "host-");

        KStream<String, SpecificRecord> fleetInput = hostOutput
                .filter((host, out) -> out.destination() == Destination.FLEET, Named.as("host-to-fleet"))
                .mapValues(Outbound::value, Named.as("host-to-fleet-unwrap"))
                .merge(decisions.filterNot((host, d) -> isManual(d), Named.as("select-decisions")),
                        Named.as("merge-decisions"))
                .selectKey((host, value) -> FLEET_KEY, Named.as("key-fleet"))
                .repartition(Repartitioned.<String, SpecificRecord>with(Serdes.String(), fleetSerde())
                        .withName(FLEET_REPARTITION).withNumberOfPartitions(1));
        KStream<String, Outbound> fleetOutput = fleetInput.process(
                () -> new FleetProcessor(thresholds, plannerSettings, signer, decisionCheck,
                        topics.commandDecisions.name()), Named.as("fleet-stage"),
                FLEET_TYPES, FLEET_HOST_METRICS, FLEET_OUTLIER_TRACKS, GATE, GATE_HELD, GATE_PROPOSALS, GATE_DECIDED);
        route(fleetOutput, Destination.HOTSPOTS, topics.hotspots, Hotspot.class, "fleet-");
        route(fleetOutput, Destination.COMMANDS, topics.commands, TuningCommand.class, "fleet-");
        route(fleetOutput, Destination.PROPOSALS, topics.commandProposals, TuningCommand.class, "fleet-");
        routeRefusedDecisions(fleetOutput, "fleet-");
        return builder.build();
    }

    private static boolean isManual(SpecificRecord decision) {
        return decision instanceof CommandDecision d && d.getManual() != null;
    }

    /** As the decision was read (re-encoded), with the headers the stage put on it. */
    private void routeRefusedDecisions(KStream<String, Outbound> output, String prefix) {
        Serializer<CommandDecision> encoder = AvroSerde.of(CommandDecision.class).serializer();
        String deadLetters = topics.deadLetters.name();
        output.filter((key, out) -> out.destination() == Destination.REFUSED_DECISIONS,
                        Named.as("select-" + prefix + "refused-decisions"))
                .mapValues(out -> encoder.serialize(deadLetters, (CommandDecision) out.value()),
                        Named.as("encode-" + prefix + "refused-decisions"))
                .to(deadLetters, Produced.with(Serdes.String(), Serdes.ByteArray())
                        .withName("sink-" + prefix + "refused-decisions"));
    }

    private static void addHostStores(StreamsBuilder builder) {
        builder.addStateStore(store(PREVIOUS_INTERRUPTS, contract(InterruptSample.class)));
        builder.addStateStore(store(PREVIOUS_SOFTNET, contract(SoftnetSample.class)));
        builder.addStateStore(store(PREVIOUS_LINK, contract(LinkSample.class)));
        builder.addStateStore(store(PREVIOUS_KERNEL, contract(KernelSettingsSample.class)));
        builder.addStateStore(store(LATEST_INTERFACE_CONFIG, contract(InterfaceConfigSample.class)));
        builder.addStateStore(store(LATEST_LATENCY, contract(LatencySample.class)));
        builder.addStateStore(store(LATEST_INTERRUPT_RATES, contract(InterruptRates.class)));
        builder.addStateStore(store(LATEST_LINK_RATES, contract(LinkRates.class)));
        builder.addStateStore(store(PREVIOUS_WIREGUARD, contract(WireguardSample.class)));
        builder.addStateStore(store(LATEST_PMTU, contract(PmtuSample.class)));
        builder.addStateStore(store(PMTU_PROBING, contract(PmtuSample.class)));
        builder.addStateStore(store(PREVIOUS_QDISC, contract(QdiscSample.class)));
        builder.addStateStore(store(PREVIOUS_NIC, contract(NicSample.class)));
        builder.addStateStore(store(HOST_STATE, internal(HostState.class)));
    }

    private static void addFleetStores(StreamsBuilder builder) {
        builder.addStateStore(store(FLEET_TYPES, internal(FleetTypeState.class)));
        builder.addStateStore(store(FLEET_HOST_METRICS, internal(HostMetrics.class)));
        builder.addStateStore(store(FLEET_OUTLIER_TRACKS, internal(Track.class)));
        builder.addStateStore(store(GATE, internal(GateState.class)));
        builder.addStateStore(store(GATE_HELD, contract(TuningCommand.class)));
        builder.addStateStore(store(GATE_PROPOSALS, contract(TuningCommand.class)));
        builder.addStateStore(store(GATE_DECIDED, Serdes.Long()));
    }

    /** Stores are written on every sample: their values are encoded by the generated code (same bytes). */
    private static <V extends SpecificRecord> Serde<V> contract(Class<V> type) {
        return GeneratedCodeSerde.of(AvroSerde.of(type));
    }

    private static <V extends SpecificRecord> Serde<V> internal(Class<V> type) {
        return GeneratedCodeSerde.of(InternalSerdes.of(type));
    }

    private static <V> org.apache.kafka.streams.state.StoreBuilder<?> store(String name, Serde<V> serde) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), serde)
                .withCachingEnabled();
    }

    /** The fleet repartition topic carries every record type the fleet stage reads. */
    static AnyRecordSerde fleetSerde() {
        return new AnyRecordSerde(List.of(AvroSerde.of(Hotspot.class), InternalSerdes.of(HostMetrics.class),
                AvroSerde.of(TuningCommand.class), AvroSerde.of(CommandOutcome.class),
                AvroSerde.of(io.tunnelvision.schemas.avro.CommandResult.class),
                AvroSerde.of(CommandDecision.class)));
    }

    private static <V extends SpecificRecord> AvroSerde<V> avro(Topic<String, V> topic) {
        if (topic.valueSerde() instanceof AvroSerde<V> serde) {
            return serde;
        }
        throw new IllegalStateException(topic.name() + " is not an Avro topic");
    }

    @SuppressWarnings("unchecked")
    private static <V extends SpecificRecord> KStream<String, SpecificRecord> source(StreamsBuilder builder,
                                                                                    Topic<String, V> topic) {
        KStream<String, V> stream = builder.stream(topic.name(),
                Consumed.with(topic.keySerde(), topic.valueSerde()).withName("source-" + topic.name()));
        return (KStream<String, SpecificRecord>) (KStream<String, ?>) stream;
    }

    private static <V extends SpecificRecord> void route(KStream<String, Outbound> output, Destination destination,
                                                         Topic<String, V> topic, Class<V> type) {
        route(output, destination, topic, type, "");
    }

    private static <V extends SpecificRecord> void route(KStream<String, Outbound> output, Destination destination,
                                                         Topic<String, V> topic, Class<V> type, String prefix) {
        String name = prefix + destination.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        output.filter((key, out) -> out.destination() == destination, Named.as("select-" + name))
                .mapValues(out -> type.cast(out.value()), Named.as("unwrap-" + name))
                .to(topic.name(), Produced.with(topic.keySerde(), GeneratedCodeSerde.of(avro(topic)))
                        .withName("sink-" + name));
    }
}
