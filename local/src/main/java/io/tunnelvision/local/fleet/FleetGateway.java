package io.tunnelvision.local.fleet;

import io.tunnelvision.agent.apply.ApplyBounds;
import io.tunnelvision.agent.apply.CommandExecutor;
import io.tunnelvision.agent.apply.ExecutorSettings;
import io.tunnelvision.agent.collect.CollectorRegistry;
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
import io.tunnelvision.local.sim.TrafficLoad;
import io.tunnelvision.schemas.avro.CommandResult;
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
        this.round = new CollectionRound(collectors(proc, sys, model, clock, pmtu));
        this.sequences = new SequenceStore(dir.resolve("agent"));
        this.executor = new CommandExecutor(ExecutorSettings.of(plan.name(), sys, proc, dir.resolve("executor"),
                ExecutorSettings.allActions(), ApplyBounds.standard(), false), verifier, clock);
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
     * The agent's collectors over the gateway's tree; {@code wg}, {@code ping}, {@code ip route get} and {@code tc}
     * are the model's: a simulated tunnel has no UAPI socket or netlink family to ask and no path to ping, so the
     * WireGuard collector gets what {@code wg show all dump} would print, the path-MTU collector what its commands
     * would and the qdisc collector what {@code tc -s -j qdisc show} would. The qdiscs are read every round, as
     * the other counters are (the agent's 30 rounds space real {@code tc} processes; the model's answer costs
     * microseconds, and a demo should show a queue's drops within seconds).
     */
    static CollectorRegistry collectors(Path proc, Path sys, SimulatedGateway model, Clock clock, PmtuSchedule pmtu) {
        List<RegisteredCollector<?>> collectors = new ArrayList<>(CollectorRegistry.standard(proc, sys)
                .without(List.of(WireguardCollector.NAME, NicCollector.NAME, PmtuCollector.NAME,
                        QdiscCollector.NAME)).collectors());
        collectors.add(CollectorRegistry.register(WireguardCollector.NAME, WireguardSample.class,
                new WireguardCollector(sys, null, command -> model.wireguardDump(clock.millis()))));
        collectors.add(CollectorRegistry.register(PmtuCollector.NAME, PmtuSample.class,
                new PmtuCollector(sys, null, model::pmtuCommand, pmtu)));
        collectors.add(CollectorRegistry.register(QdiscCollector.NAME, QdiscSample.class,
                new QdiscCollector(sys, model::qdiscCommand, SettingsRefresh.everyRound())));
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

    /** As the agent does: a command answered, the next round probes the path MTU again (a changed MTU shows). */
    synchronized CommandResult handle(TuningCommand command) {
        CommandResult result = executor.handle(command);
        pmtu.requestNow();
        return result;
    }
}
