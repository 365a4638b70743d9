package io.tunnelvision.local.sim;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A simulated gateway bound to its tree: each step takes in what the executor wrote, advances the model and
 * writes the new state, so that the agent's commands change what the simulation does.
 */
public final class SimulatedHost {

    private final SimulatedGateway gateway;
    private final ProcTreeWriter tree;

    public SimulatedHost(SimulatedGateway gateway, Path root) {
        this.gateway = gateway;
        this.tree = new ProcTreeWriter(root);
        tree.write(gateway);
    }

    public SimulatedGateway gateway() {
        return gateway;
    }

    public ProcTreeWriter tree() {
        return tree;
    }

    /**
     * Injects a fault between steps: what the executor wrote is taken in first and the settings the fault changes
     * are written out at once, so the next step does not read the old files back over the fault.
     */
    public void inject(Fault fault) {
        gateway.apply(tree.readSettings(gateway));
        gateway.inject(fault);
        tree.write(gateway);
    }

    public void advance(Duration interval, TrafficLoad load) {
        gateway.apply(tree.readSettings(gateway));
        gateway.advance(interval, load);
        tree.write(gateway);
    }
}
