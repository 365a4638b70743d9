package io.tunnelvision.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

class SoftnetChecksTest {

    private static List<Finding> run(Check check, long dropped, long squeeze, Long budget, Long usecs, long backlog) {
        HostBuilder host = HostBuilder.cpus(2).kernel(k -> {
            k.setNetdevBudget(budget);
            k.setNetdevBudgetUsecs(usecs);
            k.setNetdevMaxBacklog(backlog);
        });
        HostReading first = host.build();
        host.softnet(0, 1_000_000, dropped, squeeze);
        return HostBuilder.examine(check, first, host.later(5).build());
    }

    @Test
    void squeezeRisingFastIsCriticalAndDoublesBudgetAndTime() {
        List<Finding> findings = run(new SoftnetSqueezeCheck(), 0, 600, 300L, 2000L, 1000);

        assertEquals(Severity.CRITICAL, findings.get(0).severity());
        assertTrue(findings.get(0).seen().contains("cpu0 +600"), findings.get(0).seen());
        assertEquals("sysctl -w net.core.netdev_budget=600 net.core.netdev_budget_usecs=4000", findings.get(0).fix());
    }

    @Test
    void squeezeAtTheWarningRateIsAWarningAndTheBudgetIsCapped() {
        List<Finding> findings = run(new SoftnetSqueezeCheck(), 0, 5, 1000L, 8000L, 1000);

        assertEquals(Severity.WARNING, findings.get(0).severity());
        assertEquals("sysctl -w net.core.netdev_budget=1200", findings.get(0).fix());
    }

    @Test
    void squeezeBelowOnePerSecondIsHealthy() {
        assertEquals(List.of(), run(new SoftnetSqueezeCheck(), 0, 4, 300L, 2000L, 1000));
    }

    @Test
    void squeezeWithTheBudgetAtItsCapHasNothingToRaise() {
        List<Finding> findings = run(new SoftnetSqueezeCheck(), 0, 50, 1200L, 8000L, 1000);

        assertEquals("", findings.get(0).fix());
        assertTrue(findings.get(0).why().contains("already at the doctor's cap"));
    }

    @Test
    void backlogDropsAreAWarningAndDoubleTheBacklog() {
        List<Finding> findings = run(new SoftnetBacklogCheck(), 1, 0, 300L, 2000L, 1000);

        assertEquals(Severity.WARNING, findings.get(0).severity());
        assertEquals("sysctl -w net.core.netdev_max_backlog=2000", findings.get(0).fix());
    }

    @Test
    void steadyBacklogDropsAreCriticalAndTheBacklogIsCapped() {
        List<Finding> findings = run(new SoftnetBacklogCheck(), 50, 0, 300L, 2000L, 20000);

        assertEquals(Severity.CRITICAL, findings.get(0).severity());
        assertEquals("sysctl -w net.core.netdev_max_backlog=32768", findings.get(0).fix());
    }

    @Test
    void noBacklogDropsIsHealthy() {
        assertEquals(List.of(), run(new SoftnetBacklogCheck(), 0, 600, 300L, 2000L, 1000));
    }
}
