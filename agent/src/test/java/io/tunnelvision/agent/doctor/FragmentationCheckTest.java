package io.tunnelvision.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tunnelvision.schemas.avro.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

class FragmentationCheckTest {

    private static List<Finding> run(long creates, long reasm, long fails) {
        HostBuilder host = HostBuilder.cpus(2).kernel(k -> {
            k.setIpFragCreates(10L);
            k.setIpReasmReqds(10L);
            k.setIpFragFails(0L);
        });
        HostReading first = host.build();
        host.kernel(k -> {
            k.setIpFragCreates(10 + creates);
            k.setIpReasmReqds(10 + reasm);
            k.setIpFragFails(fails);
        });
        return HostBuilder.examine(new FragmentationCheck(), first, host.later(5).build());
    }

    @Test
    void risingFragmentationIsAWarning() {
        assertEquals(Severity.WARNING, run(1000, 800, 0).get(0).severity());
    }

    @Test
    void failedFragmentationLosesPacketsAndIsCritical() {
        assertEquals(Severity.CRITICAL, run(0, 0, 5).get(0).severity());
    }

    @Test
    void atTheFleetsOnePerSecondItIsReported() {
        assertEquals(1, run(3, 2, 0).size());
    }

    @Test
    void belowOnePerSecondItIsHealthy() {
        assertEquals(List.of(), run(2, 2, 0));
    }
}
