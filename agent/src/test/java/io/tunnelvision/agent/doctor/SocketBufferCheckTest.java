package io.tunnelvision.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

class SocketBufferCheckTest {

    private static List<Finding> run(long rmemMax, long rcvbufErrors, long sndbufErrors) {
        HostBuilder host = HostBuilder.cpus(2).kernel(k -> {
            k.setRmemMax(rmemMax);
            k.setWmemMax(212992L);
            k.setUdpRcvbufErrors(100L);
            k.setUdpSndbufErrors(0L);
        });
        HostReading first = host.build();
        host.kernel(k -> {
            k.setUdpRcvbufErrors(100L + rcvbufErrors);
            k.setUdpSndbufErrors(sndbufErrors);
        });
        return HostBuilder.examine(new SocketBufferCheck(), first, host.later(5).build());
    }

    @Test
    void rcvbufErrorsRisingWithTheDefaultRmemMaxAreCriticalAndRaiseIt() {
        Finding f = run(212992, 400, 0).get(0);

        assertEquals(Severity.CRITICAL, f.severity());
        assertTrue(f.seen().contains("rmem_max 212992"), f.seen());
        // one step of the rules' ladder (4 MiB, 16 MiB, 32 MiB)
        assertEquals("sysctl -w net.core.rmem_max=4194304", f.fix());
    }

    @Test
    void aFewErrorsWithABigCapPointAtTheDaemon() {
        // 1/s with the cap at the top of the ladder: nothing to raise
        Finding f = run(67108864, 5, 0).get(0);

        assertEquals(Severity.WARNING, f.severity());
        assertEquals("", f.fix());
        assertTrue(f.why().contains("rcvbuf 16777216"), f.why());
    }

    @Test
    void sndbufErrorsRaiseWmemMax() {
        Finding f = run(16777216, 0, 5).get(0);
        // wmem_max 212992 is below the first step

        assertEquals("udp send buffers", f.subject());
        assertEquals("sysctl -w net.core.wmem_max=4194304", f.fix());
    }

    @Test
    void aSmallCapWithoutErrorsIsHealthy() {
        assertEquals(List.of(), run(212992, 0, 0));
    }

    @Test
    void aKernelWithoutTheCountersIsNotJudged() {
        HostBuilder host = HostBuilder.cpus(2);
        HostReading first = host.build();

        assertEquals(List.of(), HostBuilder.examine(new SocketBufferCheck(), first, host.later(5).build()));
    }
}
