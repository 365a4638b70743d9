package io.tunnelvision.local.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tunnelvision.local.sim.Fault;
import io.tunnelvision.local.sim.GatewaySettings;
import io.tunnelvision.local.sim.Hardware;
import io.tunnelvision.local.sim.SimulatedGateway;
import io.tunnelvision.local.sim.SimulatedHost;
import io.tunnelvision.local.sim.TunnelKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FaultScheduleTest {

    @TempDir
    Path dir;

    private static FaultPlan at(String type, Fault fault, Duration start) {
        return new FaultPlan(type, fault, List.of("gw"), 0, start, Optional.empty(), 1);
    }

    @Test
    void aGatewayWhoseRpsAReimageSwitchesOffRunsWithRpsOnUntilThen() {
        SimulatedGateway gateway = new SimulatedGateway("gw", Hardware.of(8, 1), TunnelKind.WIREGUARD, 1, 0);
        FaultSchedule schedule = new FaultSchedule(List.of(at("rps-off", new Fault.RpsOff(), Duration.ofSeconds(15))));

        schedule.prepare(gateway);
        SimulatedHost host = new SimulatedHost(gateway, dir);
        // the tree holds the tuning the fault will undo, so the planner has nothing to fix before the fault
        assertEquals(List.of(0xffL), host.tree().readSettings(gateway).underlayRpsCpus());
        assertEquals(0xffL, host.tree().readSettings(gateway).tunnelRpsCpus());

        schedule.update(Duration.ofSeconds(14), host);
        assertEquals(0xffL, gateway.settings().tunnelRpsCpus());
        schedule.update(Duration.ofSeconds(15), host);
        assertEquals(0L, gateway.settings().tunnelRpsCpus());
        assertEquals(0L, host.tree().readSettings(gateway).tunnelRpsCpus());
    }

    @Test
    void faultsThatShapeTrafficLeaveAFreshKernelsSettings() {
        SimulatedGateway gateway = new SimulatedGateway("gw", Hardware.of(4, 4), TunnelKind.TUN, 1, 0);
        new FaultSchedule(List.of(at("tx-drops", new Fault.TxDrops(20), Duration.ofSeconds(15)),
                at("irq-storm", new Fault.SingleCoreIrqStorm(0, 4), Duration.ofSeconds(15)))).prepare(gateway);

        assertEquals(GatewaySettings.defaults(TunnelKind.TUN, Hardware.of(4, 4)), gateway.settings());
    }
}
