package io.tunnelvision.streams.fleet;

import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.avro.Decision;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.avro.Verdict;
import io.tunnelvision.schemas.sign.CommandSigner;
import io.tunnelvision.streams.avro.FleetTypeState;
import io.tunnelvision.streams.avro.GateState;
import io.tunnelvision.streams.avro.InFlight;
import io.tunnelvision.rules.detect.HotspotIds;
import io.tunnelvision.rules.plan.Commands;
import io.tunnelvision.rules.plan.PlannerSettings;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place commands leave the app, running on a single partition so its counters are fleet-wide. It gives
 * each command that goes to an agent the next sequence number ({@link CommandSequence}) and the planner's
 * signature, and holds commands back while:
 * <ul>
 *   <li>{@code maxUnverified} commands are out and not yet verified (rollbacks are never held);</li>
 *   <li>their hotspot type is open fleet-wide and the canary hosts have not all verified: the first
 *       {@code canaryHosts} hosts go first, the rest wait; a rolled-back canary stops the rest.</li>
 * </ul>
 * In approval mode a command goes to the proposals topic unsigned, with sequence 0, so no copy of it can ever run
 * on a gateway; it gets its sequence and signature, and leaves for the agent, only on an APPROVE decision that
 * passes the {@link DecisionCheck}. A refused decision changes nothing and is handed back to be dead-lettered.
 * Held commands are retried whenever a command settles and dropped when they expire. A command an operator made by
 * hand ({@link Commands#isManual}) is signed and sent at once, like a rollback.
 */
public final class CommandGate {

    private static final Logger LOG = LoggerFactory.getLogger(CommandGate.class);
    static final String GATE_KEY = "gate";

    /** A command and whether it is an unsigned proposal (approval mode) or a signed command for the agent. */
    public record Release(TuningCommand command, boolean proposal) {
    }

    /** What a decision led to: the commands it released, or why it was refused (then nothing changed). */
    public record Decided(List<Release> releases, DecisionCheck.Refusal refusal) {

        static Decided accepted(List<Release> releases) {
            return new Decided(releases, null);
        }

        static Decided refused(DecisionCheck.Refusal refusal) {
            return new Decided(List.of(), refusal);
        }
    }

    /** The gate's state stores; see the topology for why each is persistent. */
    public record Stores(KeyValueStore<String, GateState> gate, KeyValueStore<String, TuningCommand> held,
                         KeyValueStore<String, TuningCommand> proposals, KeyValueStore<String, Long> decided,
                         KeyValueStore<String, FleetTypeState> types) {
    }

    private enum Admission { RELEASE, RELEASE_AS_CANARY, HOLD, DROP }

    private final PlannerSettings settings;
    private final CommandSigner signer;
    private final DecisionCheck decisionCheck;
    private final LongSupplier wallClock;
    private final KeyValueStore<String, GateState> gateStore;
    private final KeyValueStore<String, TuningCommand> held;
    private final KeyValueStore<String, TuningCommand> proposals;
    /** Command ids decided, with their decision's time, for as long as such a decision could still be recent. */
    private final KeyValueStore<String, Long> decided;
    private final KeyValueStore<String, FleetTypeState> types;

    /** @param wallClock the gate's own clock: sequences and the age of decisions never rest on record timestamps */
    public CommandGate(PlannerSettings settings, CommandSigner signer, DecisionCheck decisionCheck,
                       LongSupplier wallClock, Stores stores) {
        this.settings = settings;
        this.signer = signer;
        this.decisionCheck = decisionCheck;
        this.wallClock = wallClock;
        this.gateStore = stores.gate();
        this.held = stores.held();
        this.proposals = stores.proposals();
        this.decided = stores.decided();
        this.types = stores.types();
    }

    public List<Release> offer(TuningCommand candidate, long nowMs) {
        GateState gate = gate();
        List<Release> out = new ArrayList<>();
        if (candidate.getRollbackOf() != null) {
            // undoing a change is always allowed, and not something to ask an operator about
            out.add(new Release(sign(gate, candidate), false));
        } else if (Commands.isManual(candidate)) {
            // an operator's command by hand, whose signed request, bounds and expected value the host stage checked:
            // the operator decided, so it is neither proposed nor held, but it counts as unverified like any change
            TuningCommand signed = sign(gate, candidate);
            track(gate, signed, false, nowMs);
            LOG.info("command {} by hand on {} sent with sequence {}", signed.getCommandId(), signed.getHostId(),
                    signed.getSequence());
            out.add(new Release(signed, false));
        } else {
            // a command that never got a verdict must not hold its slot until something else settles
            expireInFlight(gate, nowMs);
            admitOrHold(gate, candidate, nowMs, out);
        }
        gateStore.put(GATE_KEY, gate);
        return out;
    }

    /**
     * A command is settled: verified, rolled back or inconclusive ({@code verdict}), or refused, failed, expired
     * or a dry run ({@code verdict} null). Frees its slot and releases what it was holding up.
     */
    public List<Release> settle(String commandId, Verdict verdict, long nowMs) {
        GateState gate = gate();
        InFlight done = gate.getInFlight().remove(commandId);
        if (done != null && done.getCanary()) {
            FleetTypeState type = types.get(done.getHotspotType());
            if (type != null && type.getHotspotId() != null) {
                if (verdict == Verdict.VERIFIED) {
                    addIfAbsent(type.getCanaryVerified(), done.getHostId());
                } else if (verdict == Verdict.ROLLED_BACK) {
                    LOG.warn("canary {} on {} was rolled back: the rest of fleet hotspot {} gets no command",
                            commandId, done.getHostId(), type.getHotspotId());
                    type.setCanaryFailed(true);
                } else {
                    // refused or failed: not evidence either way, let another host be the canary
                    type.getCanaryHosts().remove(done.getHostId());
                }
                types.put(done.getHotspotType(), type);
            }
        }
        List<Release> out = new ArrayList<>();
        expireInFlight(gate, nowMs);
        releaseHeld(gate, nowMs, out);
        gateStore.put(GATE_KEY, gate);
        return out;
    }

    /** An operator's decision: acted on only if it passes the {@link DecisionCheck}, otherwise refused unchanged. */
    public Decided decide(CommandDecision decision, long nowMs) {
        long wallMs = wallClock.getAsLong();
        String commandId = decision.getCommandId();
        TuningCommand proposal = proposals.get(commandId);
        Optional<DecisionCheck.Refusal> refusal = decisionCheck.check(decision, proposal, decided.get(commandId),
                wallMs);
        if (refusal.isPresent()) {
            return Decided.refused(refusal.get());
        }
        proposals.delete(commandId);
        forgetDecisionsOlderThan(wallMs - decisionCheck.maxAge().toMillis() - DecisionCheck.CLOCK_SKEW.toMillis());
        decided.put(commandId, decision.getTimeMs());
        if (decision.getDecision() != Decision.APPROVE) {
            LOG.info("{} rejected {} (api key {})", decision.getOperator(), commandId, decision.getKeyId());
            return Decided.accepted(List.of());
        }
        GateState gate = gate();
        TuningCommand fresh = TuningCommand.newBuilder(proposal).setIssuedAtMs(nowMs)
                .setExpiresAtMs(nowMs + settings.commandTtl().toMillis()).build();
        TuningCommand signed = sign(gate, fresh);
        track(gate, signed, isCanary(signed), nowMs);
        gateStore.put(GATE_KEY, gate);
        LOG.info("{} approved {} (api key {}), sent with sequence {}", decision.getOperator(), commandId,
                decision.getKeyId(), signed.getSequence());
        return Decided.accepted(List.of(new Release(signed, false)));
    }

    /** A decision this old is refused as too old anyway: its command id need not be remembered any longer. */
    private void forgetDecisionsOlderThan(long cutoffMs) {
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, Long> it = decided.all()) {
            while (it.hasNext()) {
                KeyValue<String, Long> entry = it.next();
                if (entry.value < cutoffMs) {
                    expired.add(entry.key);
                }
            }
        }
        expired.forEach(decided::delete);
    }

    /** A fleet hotspot opened: commands of its type already out on its hosts become its first canaries. */
    public void onFleetOpened(FleetTypeState type) {
        GateState gate = gate();
        for (InFlight flight : gate.getInFlight().values()) {
            if (flight.getHotspotType().equals(type.getType()) && type.getHosts().contains(flight.getHostId())
                    && type.getCanaryHosts().size() < settings.canaryHosts()) {
                flight.setCanary(true);
                addIfAbsent(type.getCanaryHosts(), flight.getHostId());
            }
        }
        gateStore.put(GATE_KEY, gate);
    }

    public int inFlight() {
        return gate().getInFlight().size();
    }

    private void admitOrHold(GateState gate, TuningCommand candidate, long nowMs, List<Release> out) {
        switch (admission(gate, candidate)) {
            case RELEASE -> release(gate, candidate, false, nowMs, out);
            case RELEASE_AS_CANARY -> release(gate, candidate, true, nowMs, out);
            case HOLD -> {
                LOG.info("holding {} ({} unverified of {} allowed)", candidate.getCommandId(),
                        gate.getInFlight().size(), settings.maxUnverified());
                held.put(candidate.getCommandId(), candidate);
            }
            case DROP -> LOG.warn("dropping {}: its fleet hotspot's canary was rolled back", candidate.getCommandId());
        }
    }

    private Admission admission(GateState gate, TuningCommand candidate) {
        boolean capacity = gate.getInFlight().size() < settings.maxUnverified();
        FleetTypeState fleet = openFleetHotspot(candidate);
        if (fleet == null || fleet.getCanaryHosts().contains(candidate.getHostId())) {
            return capacity ? Admission.RELEASE : Admission.HOLD;
        }
        if (fleet.getCanaryFailed()) {
            return Admission.DROP;
        }
        if (fleet.getCanaryHosts().size() < settings.canaryHosts()) {
            return capacity ? Admission.RELEASE_AS_CANARY : Admission.HOLD;
        }
        boolean canariesVerified = fleet.getCanaryVerified().size() >= fleet.getCanaryHosts().size();
        return canariesVerified && capacity ? Admission.RELEASE : Admission.HOLD;
    }

    private FleetTypeState openFleetHotspot(TuningCommand command) {
        HotspotType type = HotspotIds.typeOf(command.getHotspotId());
        FleetTypeState fleet = types.get(type.name());
        if (fleet == null || fleet.getHotspotId() == null || !fleet.getHosts().contains(command.getHostId())) {
            return null;
        }
        return fleet;
    }

    private boolean isCanary(TuningCommand command) {
        FleetTypeState fleet = openFleetHotspot(command);
        return fleet != null && fleet.getCanaryHosts().contains(command.getHostId());
    }

    private void release(GateState gate, TuningCommand candidate, boolean canary, long nowMs, List<Release> out) {
        if (canary) {
            FleetTypeState fleet = openFleetHotspot(candidate);
            addIfAbsent(fleet.getCanaryHosts(), candidate.getHostId());
            types.put(fleet.getType(), fleet);
            LOG.info("{} is a canary of fleet hotspot {}", candidate.getHostId(), fleet.getHotspotId());
        }
        if (settings.approval()) {
            // unsigned and without a sequence: what an operator is shown must not be something a gateway runs
            TuningCommand proposal = TuningCommand.newBuilder(candidate).setSequence(0).setKeyId("")
                    .setSignature(ByteBuffer.allocate(0)).build();
            proposals.put(proposal.getCommandId(), proposal);
            out.add(new Release(proposal, true));
            return;
        }
        TuningCommand signed = sign(gate, candidate);
        track(gate, signed, canary || isCanary(candidate), nowMs);
        out.add(new Release(signed, false));
    }

    private void track(GateState gate, TuningCommand signed, boolean canary, long nowMs) {
        gate.getInFlight().put(signed.getCommandId(), InFlight.newBuilder()
                .setHostId(signed.getHostId())
                .setHotspotType(HotspotIds.typeOf(signed.getHotspotId()).name())
                .setReleasedAtMs(nowMs)
                .setExpiresAtMs(signed.getExpiresAtMs())
                .setCanary(canary)
                .build());
    }

    private TuningCommand sign(GateState gate, TuningCommand command) {
        gate.setSequence(CommandSequence.next(gate.getSequence(), wallClock.getAsLong()));
        return signer.sign(TuningCommand.newBuilder(command).setSequence(gate.getSequence()).build());
    }

    private void releaseHeld(GateState gate, long nowMs, List<Release> out) {
        List<TuningCommand> waiting = new ArrayList<>();
        try (KeyValueIterator<String, TuningCommand> it = held.all()) {
            while (it.hasNext()) {
                KeyValue<String, TuningCommand> entry = it.next();
                waiting.add(entry.value);
            }
        }
        for (TuningCommand candidate : waiting) {
            if (candidate.getExpiresAtMs() <= nowMs) {
                LOG.info("held command {} expired before it could be sent", candidate.getCommandId());
                held.delete(candidate.getCommandId());
                continue;
            }
            Admission admission = admission(gate, candidate);
            if (admission != Admission.HOLD) {
                held.delete(candidate.getCommandId());
                admitOrHold(gate, candidate, nowMs, out);
            }
        }
    }

    private void expireInFlight(GateState gate, long nowMs) {
        long timeout = settings.verifyTimeout().toMillis();
        gate.getInFlight().entrySet().removeIf(e -> {
            boolean stale = nowMs - e.getValue().getReleasedAtMs() > timeout;
            if (stale) {
                LOG.warn("command {} on {} never got a verdict; it no longer counts as unverified", e.getKey(),
                        e.getValue().getHostId());
            }
            return stale;
        });
    }

    private GateState gate() {
        GateState gate = gateStore.get(GATE_KEY);
        return gate != null ? gate : GateState.newBuilder().build();
    }

    private static void addIfAbsent(List<String> list, String value) {
        if (!list.contains(value)) {
            list.add(value);
        }
    }
}
