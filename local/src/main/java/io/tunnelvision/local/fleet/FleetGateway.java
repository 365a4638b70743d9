package io.tunnelvision.local.fleet;

import io.tunnelvision.agent.apply.ApplyBounds;
import io.tunnelvision.agent.apply.CommandExecutor;
import io.tunnelvision.agent.apply.ExecutorSettings;
import io.tunnelvision.agent.apply.ToolRunner;
import io.tunnelvision.agent.collect.CollectorRegistry;
import io.tunnelvision.agent.collect.NicCadence;
import io.tunnelvision.agent.collect.PmtuCollector;
import io.tunnelvision.agent.collect.PmtuSchedule;
import io.tunnelvision.agent.collect.QdiscCollector;
import io.tunnelvision.agent.collect.SettingsRefresh;
import io.tunnelvision.agent.collect.RegisteredCollector;
import io.tunnelvision.agent.collect.NicCollector;
import io.tunnelvision.agent.collect.WireguardCollector;
import io.tunnelvision.agent.run.CollectionRound;
import io.tunnelvision.agent.run.HostIdentity;
import io.tunnelvision.agent.run.SampleRouting;
import io.tunnelvision.agent.run.SequenceStore;
import io.tunnelvision.local.scenario.FaultSchedule;
import io.tunnelvision.local.scenario.GatewayPlan;
import io.tunnelvision.local.sim.SimulatedGateway;
import io.tunnelvision.local.sim.SimulatedHost;
import io.tunnelvision.local.sim.ToolAnswer;
import io.tunnelvision.local.sim.TrafficLoad;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.PmtuSample;
import io.tunnelvision.schemas.avro.QdiscSample;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.avro.WireguardSample;
import io.tunnelvision.schemas.sign.CommandSignatureVerifier;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;

/**
 * One simulated gateway with the agent's own parts bound to its tree: the standard collectors, its identity
 * (host id, the tree's boot id), its on-disk sequence and a command executor applying to its tree (dry run off).
 * Stepping and applying lock the gateway, so a command never lands in the middle of a model step.
 */
final class FleetGateway {

    private final GatewayPlan plan;
    private final SimulatedHost host;
    private final HostIdentity identity;
    private final CollectionRound round;
    private final SequenceStore sequences;
    private final CommandExecutor executor;
    private final FaultSchedule faults;
    private final PmtuSchedule pmtu = pmtuSchedule();
    private final SettingsRefresh toolReads = toolReads();

    /**
     * @param dir  this gateway's directory: {@code tree/} (its /proc and /sys), {@code agent/} (sequence) and
     *             {@code executor/} (replay guard, applied changes, audit log), the last two kept across runs
     * @param boot which run this is: each run is a fresh boot of the gateway (new boot id, counters from zero,
     *             kernel defaults), as the simulation keeps no model state on disk
     */
    FleetGateway(GatewayPlan plan, Path dir, long boot, CommandSignatureVerifier verifier, Clock clock) {
        this.plan = plan;
        SimulatedGateway model = new SimulatedGateway(plan.name(), plan.shape().hardware(), plan.shape().kind(),
                plan.seed() + 31 * boot, 0);
        this.faults = new FaultSchedule(plan.faults());
        faults.prepare(model);
        this.host = new SimulatedHost(model, dir.resolve("tree"));
        Path proc = host.tree().procRoot();
        Path sys = host.tree().sysRoot();
        this.identity = HostIdentity.read(plan.name(), proc);
        this.round = new CollectionRound(collectors(proc, sys, model, clock, pmtu, toolReads));
        this.sequences = new SequenceStore(dir.resolve("agent"));
        this.executor = new CommandExecutor(ExecutorSettings.of(plan.name(), sys, proc, dir.resolve("executor"),
                ExecutorSettings.allActions(), ApplyBounds.standard(), false).withTools(tools(model)), verifier, clock);
    }

    /**
     * The executor's ethtool is the model's ({@code -g}/{@code -G} rings, {@code -C rx-usecs}), as its collectors'
     * is. tc is not modelled for writing: a ROOT_QDISC command fails with tc's exit status and says why (the model
     * keeps no standing queue, so nothing asks for one).
     */
    static ToolRunner tools(SimulatedGateway model) {
        return (tool, args) -> {
            if (tool != ToolRunner.Tool.ETHTOOL) {
                return ToolRunner.Output.failed(1, "the simulated gateway does not model " + tool.command() + "\n");
            }
            ToolAnswer answer = model.ethtool(args);
            return new ToolRunner.Output(answer.exitStatus(), answer.out(), answer.err());
        };
    }

    /**
     * Rounds between two path-MTU probings of a simulated gateway. The agent's default (300) spaces real pings; the
     * model's answers cost nothing, and a demo should show a black hole within seconds of its start, not minutes.
     * As the agent does, a gateway also probes in the round after it answered a command.
     */
    static final int PMTU_EVERY = 10;

    /** Probes in the calling round, as the model answers at once. */
    static PmtuSchedule pmtuSchedule() {
        return new PmtuSchedule(PMTU_EVERY, Runnable::run);
    }

    /**
     * Rounds between two reads of the qdiscs and the NICs (settings and counters) of a simulated gateway, and in the
     * round after a command was answered, as the agent does. The agent's 30 rounds (300 for NIC settings) space real
     * tc and ethtool processes; the model's answers cost microseconds, but every sample costs the fleet's streams
     * app, and a demo should show a queue's drops within seconds: 5.
     */
    static final int TOOL_EVERY = 5;

    static SettingsRefresh toolReads() {
        return new SettingsRefresh(TOOL_EVERY);
    }

    /**
     * The agent's collectors over the gateway's tree; {@code wg}, {@code ping}, {@code ip route get}, {@code tc} and
     * {@code ethtool} are the model's: a simulated tunnel has no UAPI socket or netlink family to ask and no path to
     * ping, so the WireGuard collector gets what {@code wg show all dump} would print, the path-MTU collector what its
     * commands would, the qdisc collector what {@code tc -s -j qdisc show} would and the NIC collector what
     * {@code ethtool -i/-g/-l/-c/-k/-S eth0} would ({@code toolReads} says when the last two read).
     */
    static CollectorRegistry collectors(Path proc, Path sys, SimulatedGateway model, Clock clock, PmtuSchedule pmtu,
                                        SettingsRefresh toolReads) {
        List<RegisteredCollector<?>> collectors = new ArrayList<>(CollectorRegistry.standard(proc, sys)
                .without(List.of(WireguardCollector.NAME, NicCollector.NAME, PmtuCollector.NAME,
                        QdiscCollector.NAME)).collectors());
        collectors.add(CollectorRegistry.register(WireguardCollector.NAME, WireguardSample.class,
                new WireguardCollector(sys, null, command -> model.wireguardDump(clock.millis()))));
        collectors.add(CollectorRegistry.register(PmtuCollector.NAME, PmtuSample.class,
                new PmtuCollector(sys, null, model::pmtuCommand, pmtu)));
        collectors.add(CollectorRegistry.register(QdiscCollector.NAME, QdiscSample.class,
                new QdiscCollector(sys, model::qdiscCommand, toolReads)));
        int every = toolReads.everyRounds();
        collectors.add(CollectorRegistry.register(NicCollector.NAME, NicSample.class,
                new NicCollector(sys, toolReads, new NicCadence(every, every), Set.of(),
                        command -> model.ethtool(command.subList(1, command.size())).outputOrNull())));
        return CollectorRegistry.of(collectors);
    }

    String name() {
        return plan.name();
    }

    GatewayPlan plan() {
        return plan;
    }

    SimulatedGateway model() {
        return host.gateway();
    }

    /** Injects faults whose time has come, clears those whose time is over, and advances the model. */
    synchronized void advance(Duration elapsed, Duration interval, TrafficLoad load) {
        faults.update(elapsed, host);
        host.advance(interval, load);
    }

    /** One collection round of the real collectors over the tree, published as the agent does. */
    synchronized int collect(SampleRouting routing, long timeMs) {
        SampleHeader header = new SampleHeader(identity.hostId(), identity.bootId(), sequences.take(), timeMs,
                identity.agentVersion());
        int n = 0;
        for (SpecificRecord sample : round.collect(header).samples()) {
            routing.publish(identity.hostId(), sample);
            n++;
        }
        return n;
    }

    /**
     * As the agent does: a command answered, the next round probes the path MTU and reads the qdiscs and the NICs
     * again (a changed MTU, txqueuelen or ring shows at once).
     */
    synchronized CommandResult handle(TuningCommand command) {
        CommandResult result = executor.handle(command);
        pmtu.requestNow();
        toolReads.requestNow();
        return result;
    }
}
