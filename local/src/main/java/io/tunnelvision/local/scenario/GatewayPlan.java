package io.tunnelvision.local.scenario;

import java.util.List;

/** One gateway of a laid-out fleet: its name, shape, model seed and the faults planned for it. */
public record GatewayPlan(String name, HostShape shape, long seed, List<FaultPlan> faults) {

    public GatewayPlan {
        faults = List.copyOf(faults);
    }
}
