package io.tunnelvision.local.scenario;

import io.tunnelvision.local.sim.TrafficLoad;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A simulated fleet and the faults injected into it over time, as read by {@link ScenarioParser}.
 *
 * @param gateways fleet size: the named {@code hosts} plus generated gateways up to this many
 * @param seed     makes the generated gateways, the choice of gateways for a share and the traffic repeatable
 * @param interval how often every gateway is stepped and sampled
 * @param hosts    gateways with a given name and shape, in file order
 */
public record Scenario(String name, int gateways, long seed, Duration interval, TrafficLoad load,
                       Map<String, HostShape> hosts, List<FaultPlan> faults) {

    public Scenario {
        hosts = Collections.unmodifiableMap(new LinkedHashMap<>(hosts));
        faults = List.copyOf(faults);
    }

    /** The same scenario on a fleet of {@code n} gateways (never fewer than the named ones). */
    public Scenario withGateways(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("a fleet has at least one gateway, not " + n);
        }
        return new Scenario(name, n, seed, interval, load, hosts, faults);
    }

    public Scenario withInterval(Duration value) {
        return new Scenario(name, gateways, seed, value, load, hosts, faults);
    }
}
