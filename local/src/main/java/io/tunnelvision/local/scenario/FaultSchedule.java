package io.tunnelvision.local.scenario;

import io.tunnelvision.local.sim.SimulatedGateway;
import io.tunnelvision.local.sim.SimulatedHost;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The faults planned for one gateway, injected when their start comes and cleared when their end passes. A
 * fault with an end is transient: its traffic shaping stops by itself, with or without a command; a setting it
 * changed stays changed. Not thread-safe: the caller steps its gateway from one thread at a time.
 */
public final class FaultSchedule {

    private final List<FaultPlan> plans;
    private final Set<FaultPlan> injected = new HashSet<>();

    public FaultSchedule(List<FaultPlan> plans) {
        this.plans = List.copyOf(plans);
    }

    /**
     * Puts {@code gateway} in the state it ran in before its faults (see {@link
     * io.tunnelvision.local.sim.Fault#beforeInject}); called once, before the gateway's tree is first written.
     */
    public void prepare(SimulatedGateway gateway) {
        for (FaultPlan f : plans) {
            gateway.apply(f.fault().beforeInject(gateway.settings(), gateway.cpus()));
        }
    }

    /** Brings {@code host}'s faults up to date with {@code elapsed}, the time since the run started. */
    public void update(Duration elapsed, SimulatedHost host) {
        for (FaultPlan f : plans) {
            boolean active = f.activeAt(elapsed);
            if (active && injected.add(f)) {
                host.inject(f.fault());
            } else if (!active && injected.remove(f)) {
                host.gateway().clear(f.fault());
            }
        }
    }
}
