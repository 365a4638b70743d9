package io.tunnelvision.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TxQueueCheckTest {

    private static List<Finding> run(InterfaceKind kind, int txqueuelen, long drops) {
        HostBuilder host = HostBuilder.cpus(2).iface("tun0", kind, 1400, txqueuelen, "0");
        HostReading first = host.build();
        host.counter("tun0", "txDropped", drops).counter("tun0", "txPackets", 10_000);
        return HostBuilder.examine(new TxQueueCheck(), first, host.later(5).build());
    }

    @Test
    void tunWithShortQueueAndDropsGetsTheNextStep() {
        // 6/s, over the fleet's 5/s
        List<Finding> findings = run(InterfaceKind.TUN, 500, 30);

        assertEquals(Severity.WARNING, findings.get(0).severity());
        assertTrue(findings.get(0).seen().contains("txqueuelen 500"));
        assertEquals("ip link set dev tun0 txqueuelen 1000", findings.get(0).fix());
    }

    @Test
    void steadyDropsAreCritical() {
        assertEquals(Severity.CRITICAL, run(InterfaceKind.WIREGUARD, 1000, 250).get(0).severity());
    }

    @Test
    void pastTheLastStepTheDoctorWarnsOfBufferbloatInsteadOfRaising() {
        Finding f = run(InterfaceKind.TUN, 5000, 30).get(0);

        assertEquals("", f.fix());
        assertTrue(f.why().contains("bufferbloat"));
    }

    @Test
    void noDropsIsHealthy() {
        assertEquals(List.of(), run(InterfaceKind.TUN, 500, 0));
    }

    @Test
    void aFewDropsBelowTheFleetsRateAreHealthy() {
        assertEquals(List.of(), run(InterfaceKind.TUN, 500, 20), "4/s");
    }

    @Test
    void dropsOnANonTunnelAreNotThisChecksBusiness() {
        assertEquals(List.of(), run(InterfaceKind.BRIDGE, 500, 30));
    }
}
