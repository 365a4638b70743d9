package io.tunnelvision.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

class RxOverrunCheckTest {

    private static List<Finding> run(InterfaceKind kind, long over, long fifo) {
        HostBuilder host = HostBuilder.cpus(2).iface("eth0", kind, 1500, 1000, "0")
                .kernel(k -> k.setNetdevBudgetUsecs(2000L));
        HostReading first = host.build();
        host.counter("eth0", "rxOverErrors", over).counter("eth0", "rxFifoErrors", fifo);
        return HostBuilder.examine(new RxOverrunCheck(), first, host.later(5).build());
    }

    @Test
    void overrunsOnANicGetALongerSoftirqBudgetAndTheRingIsExplained() {
        // 2/s, above the fleet's 1/s; the rules answer with netdev_budget_usecs (2000, 4000, 8000)
        Finding f = run(InterfaceKind.PHYSICAL, 10, 0).get(0);

        assertEquals(Severity.WARNING, f.severity());
        assertEquals("sysctl -w net.core.netdev_budget_usecs=4000", f.fix());
        assertTrue(f.why().contains("ethtool -g eth0"), f.why());
    }

    @Test
    void steadyFifoErrorsAreCriticalAndAVirtualDeviceHasNoRing() {
        Finding f = run(InterfaceKind.VETH, 0, 50).get(0);

        assertEquals(Severity.CRITICAL, f.severity());
        assertTrue(f.why().contains("no ring to enlarge"), f.why());
    }

    @Test
    void aStrayOverrunBelowTheFleetsRateIsHealthy() {
        assertEquals(List.of(), run(InterfaceKind.PHYSICAL, 3, 0), "0.6/s");
    }

    @Test
    void noOverrunsIsHealthy() {
        assertEquals(List.of(), run(InterfaceKind.PHYSICAL, 0, 0));
    }
}
