package io.tunnelvision.local.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.local.sim.Fault;
import io.tunnelvision.local.sim.NicDriver;
import io.tunnelvision.local.sim.SimulatedGateway;
import io.tunnelvision.local.sim.SimulatedHost;
import io.tunnelvision.local.sim.TunnelKind;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioParserTest {

    @TempDir
    Path dir;

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
                "udp-buffer-errors", "healthy-noisy", "txqueuelen-backfire", "heavy-load", "wireguard-peer-down",
                "pmtu-blackhole", "txqueuelen-zero", "nic-rx-ring-small"), types);
        assertEquals(new HostShape(32, TunnelKind.WIREGUARD, 16, NicDriver.I40E, 2),
                scenario.hosts().get("gw-irq-storm-16"));
        assertEquals(2, scenario.faults().stream().filter(f -> f.hosts().equals(List.of("gw-two-faults"))).count());

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
    void hostsNameTheirNicDriverAndNumaNodes() {
        Scenario s = ScenarioParser.parse("t", """
                hosts:
                  a: {cpus: 32, kind: wireguard, rxQueues: 16, nic: mlx5, numaNodes: 2}
                  b: {cpus: 4}
                faults:
                  - {fault: heavy-load, hosts: [a], factor: 6}
                """);
        assertEquals(new HostShape(32, TunnelKind.WIREGUARD, 16, NicDriver.MLX5, 2), s.hosts().get("a"));
        assertEquals(new HostShape(4, TunnelKind.WIREGUARD, 4, NicDriver.IXGBE, 1), s.hosts().get("b"));
        assertEquals(new Fault.HeavyLoad(6), s.faults().get(0).fault());
    }

    @Test
    void aTransientFaultEndsByItselfWithoutACommand() {
        // Given squeezes from 10 s to 40 s
        Scenario s = ScenarioParser.parse("t", """
                hosts:
                  a: {cpus: 4, kind: vxlan, nic: ena}
                faults:
                  - {fault: softnet-squeeze, hosts: [a], start: 10s, end: 40s, burst: 22}
                """);
        GatewayPlan plan = FleetLayout.of(s.withGateways(1)).get(0);
        SimulatedHost host = new SimulatedHost(new SimulatedGateway("a", plan.shape().hardware(), plan.shape().kind(),
                plan.seed(), 0), dir);
        FaultSchedule schedule = new FaultSchedule(plan.faults());
        long[] squeezesAt = new long[61];
        // When the gateway runs for a minute, nobody changing anything
        for (int second = 0; second <= 60; second++) {
            schedule.update(Duration.ofSeconds(second), host);
            host.advance(Duration.ofSeconds(1), s.load());
            squeezesAt[second] = totalSqueezes(host.gateway());
        }
        // Then it squeezes only while the fault lasts
        assertEquals(0, squeezesAt[9]);
        assertTrue(squeezesAt[39] > squeezesAt[10], "squeezes while it lasts");
        assertEquals(squeezesAt[39], squeezesAt[60], "none after it ended");
        assertEquals(300, host.gateway().settings().netdevBudget());
    }

    private static long totalSqueezes(SimulatedGateway g) {
        long total = 0;
        for (int cpu = 0; cpu < g.cpus(); cpu++) {
            total += g.softnetTimeSqueeze(cpu);
        }
        return total;
    }

    @Test
    void errorsNameTheLineAndTheField() {
        // text, then the start of the message it must give
        List<String> cases = List.of(
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
                "t line 2: not valid YAML",
                "hosts:\n  a: {cpus: 4, nic: e1000}\n",
                "t line 2, hosts.a.nic: 'e1000' is not a NIC driver: use one of ixgbe, i40e, ice, iavf, mlx5, virtio, "
                        + "gve, ena",
                "hosts:\n  a: {cpus: 6, numaNodes: 2}\n",
                "t line 2, hosts.a.numaNodes: 2 needs cpus divisible by 4",
                "hosts:\n  a: {cpus: 8, numaNodes: 3}\n",
                "t line 2, hosts.a.numaNodes: must be 1 to 2, was 3",
                "hosts:\n  a: {cpus: 4}\nfaults:\n  - {fault: heavy-load, hosts: [a], factor: 0.5}\n",
                "t line 4, faults[0]: factor must be 1 to 100, was 0.5");
        for (int i = 0; i < cases.size(); i += 2) {
            String text = cases.get(i);
            String expected = cases.get(i + 1);
            ScenarioException e = assertThrows(ScenarioException.class, () -> ScenarioParser.parse("t", text), text);
            assertTrue(e.getMessage().startsWith(expected), e.getMessage() + " should start with " + expected);
        }
    }
}
