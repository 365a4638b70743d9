package io.tunnelvision.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

class RxOverrunCheckTest {

    private static List<Finding> run(InterfaceKind kind, long over, long fifo) {
        HostBuilder host = HostBuilder.cpus(2).iface("eth0", kind, 1500, 1000, "0");
        HostReading first = host.build();
        host.counter("eth0", "rxOverErrors", over).counter("eth0", "rxFifoErrors", fifo);
        return HostBuilder.examine(new RxOverrunCheck(), first, host.later(5).build());
    }

    @Test
    void overrunsOnANicGrowTheRingToItsMaximum() {
        Finding f = run(InterfaceKind.PHYSICAL, 3, 0).get(0);

        assertEquals(Severity.WARNING, f.severity());
        assertEquals("ethtool -G eth0 rx $(ethtool -g eth0 | awk '/^RX:/ {print $2; exit}')", f.fix());
    }

    @Test
    void steadyFifoErrorsAreCriticalAndAVirtualDeviceHasNoRing() {
        Finding f = run(InterfaceKind.VETH, 0, 50).get(0);

        assertEquals(Severity.CRITICAL, f.severity());
        assertEquals("", f.fix());
    }

    @Test
    void noOverrunsIsHealthy() {
        assertEquals(List.of(), run(InterfaceKind.PHYSICAL, 0, 0));
    }
}
