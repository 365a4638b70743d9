package io.tunnelvision.local.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.local.sim.Fault;
import io.tunnelvision.local.sim.TunnelKind;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ScenarioParserTest {

    private static Scenario defaultScenario() {
        return ScenarioParser.parse("default.yaml", new InputStreamReader(ScenarioParserTest.class.getResourceAsStream(
                "/io/tunnelvision/local/scenario/default.yaml"), StandardCharsets.UTF_8));
    }

    @Test
    void theDefaultScenarioShowsEveryFaultAndAFleetWideRegressionOnThirtyPercent() {
        Scenario scenario = defaultScenario();
        assertEquals(50, scenario.gateways());
        assertEquals(Duration.ofSeconds(1), scenario.interval());
        Set<String> types = scenario.faults().stream().map(FaultPlan::type).collect(Collectors.toSet());
        assertEquals(Set.of("irq-storm", "softnet-squeeze", "backlog-drops", "tx-drops", "rps-off", "mtu-mismatch",
                "udp-buffer-errors", "healthy-noisy", "txqueuelen-backfire"), types);

        List<GatewayPlan> fleet = FleetLayout.of(scenario);
        assertEquals(50, fleet.size());
        FaultPlan regression = scenario.faults().stream().filter(f -> f.share() > 0).findFirst().orElseThrow();
        long hit = fleet.stream().filter(g -> g.faults().contains(regression)).count();
        assertEquals(15, hit, "30 % of 50");
        assertTrue(fleet.stream().filter(g -> g.faults().contains(regression))
                .noneMatch(g -> scenario.hosts().containsKey(g.name())), "the share goes to unnamed gateways");
        Set<Integer> cpus = fleet.stream().map(g -> g.shape().cpus()).collect(Collectors.toSet());
        assertTrue(cpus.contains(2) && cpus.contains(64), "CPU counts from 2 to 64: " + cpus);
        assertEquals(Set.of(TunnelKind.values()), fleet.stream().map(g -> g.shape().kind())
                .collect(Collectors.toSet()));
    }

    @Test
    void aLargerFleetKeepsTheNamedHostsAndTheirFaults() {
        List<GatewayPlan> fleet = FleetLayout.of(defaultScenario().withGateways(10_000));
        assertEquals(10_000, fleet.size());
        assertEquals(10_000, new HashSet<>(fleet.stream().map(GatewayPlan::name).toList()).size());
        GatewayPlan storm = fleet.get(0);
        assertEquals("gw-irq-storm", storm.name());
        assertTrue(storm.faults().get(0).fault() instanceof Fault.SingleCoreIrqStorm);
        assertEquals(3000, fleet.stream().filter(g -> g.faults().stream().anyMatch(f -> f.share() > 0)).count());
    }

    @Test
    void faultsTakeTheirParametersAndTimes() {
        Scenario s = ScenarioParser.parse("t", """
                gateways: 3
                hosts:
                  a: {cpus: 4, kind: tun, rxQueues: 2}
                faults:
                  - {fault: tx-drops, hosts: [a], start: 10s, end: 2m, burst: 7}
                """);
        FaultPlan f = s.faults().get(0);
        assertEquals(new Fault.TxDrops(7), f.fault());
        assertEquals(Duration.ofSeconds(10), f.start());
        assertEquals(Duration.ofMinutes(2), f.end().orElseThrow());
        assertTrue(f.activeAt(Duration.ofSeconds(10)) && !f.activeAt(Duration.ofMinutes(2)));
        assertEquals(new HostShape(4, TunnelKind.TUN, 2), s.hosts().get("a"));
    }

    @Test
    void errorsNameTheLineAndTheField() {
        Map<String, String> cases = Map.of(
                "hosts:\n  a: {cpus: 4}\nfaults:\n  - {fault: tx-drops, hosts: [a], burst: lots}\n",
                "t line 4, faults[0].burst: 'lots' is not a number",
                "hosts:\n  a: {cpus: 4}\nfaults:\n  - {fault: tx-drop, hosts: [a]}\n",
                "t line 4, faults[0].fault: 'tx-drop' is not a fault",
                "hosts:\n  a: {cpus: 4}\nfaults:\n  - {fault: tx-drops, hosts: [b]}\n",
                "t line 4, faults[0].hosts: 'b' is not in the hosts section",
                "hosts:\n  a: {cpus: 99}\n",
                "t line 2, hosts.a.cpus: must be 2 to 64, was 99",
                "gateways: 5\nspeed: 3\n",
                "t line 2, speed: is not a field here",
                "faults:\n  - {fault: rps-off, share: 0.3, start: 20s, end: 10s}\n",
                "t line 2, faults[0].end: must be after start",
                "faults:\n  - {fault: rps-off, share: 0.3, burst: 3}\n",
                "t line 2, faults[0].burst: is not a field here",
                "faults: [\n",
                "t line 2: not valid YAML");
        cases.forEach((text, expected) -> {
            ScenarioException e = assertThrows(ScenarioException.class, () -> ScenarioParser.parse("t", text), text);
            assertTrue(e.getMessage().startsWith(expected), e.getMessage() + " should start with " + expected);
        });
    }
}
