package io.tunnelvision.local.scenario;

import io.tunnelvision.local.sim.Fault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One fault of a scenario: what, on which gateways, and when (measured from the start of the run).
 *
 * @param type  the fault's name in the file, e.g. {@code irq-storm}
 * @param hosts gateways named in the file; empty when {@code share} chooses them
 * @param share fraction of the fleet's unnamed gateways to inject it on (0 when {@code hosts} names them)
 * @param end   when the fault's traffic shaping stops; empty: never
 * @param line  where the fault starts in the file, for messages
 */
public record FaultPlan(String type, Fault fault, List<String> hosts, double share, Duration start,
                        Optional<Duration> end, int line) {

    public FaultPlan {
        hosts = List.copyOf(hosts);
    }

    public boolean activeAt(Duration elapsed) {
        return elapsed.compareTo(start) >= 0 && end.map(e -> elapsed.compareTo(e) < 0).orElse(true);
    }
}
