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
    void squeezeRisingFastIsCriticalAndStepsTheBudget() {
        List<Finding> findings = run(new SoftnetSqueezeCheck(), 0, 600, 300L, 2000L, 1000);

        assertEquals(Severity.CRITICAL, findings.get(0).severity());
        assertTrue(findings.get(0).seen().contains("cpu0 120/s"), findings.get(0).seen());
        // the policy answers a squeeze with netdev_budget alone, one step of 300, 600, 1200
        assertEquals("sysctl -w net.core.netdev_budget=600", findings.get(0).fix());
    }

    @Test
    void squeezeAtTheWarningRateIsAWarningAndTheBudgetIsCapped() {
        // 12/s, over the fleet's 10/s (the doctor used to warn from 1/s)
        List<Finding> findings = run(new SoftnetSqueezeCheck(), 0, 60, 1000L, 8000L, 1000);

        assertEquals(Severity.WARNING, findings.get(0).severity());
        assertEquals("sysctl -w net.core.netdev_budget=1200", findings.get(0).fix());
    }

    @Test
    void squeezeBelowTenPerSecondIsHealthy() {
        assertEquals(List.of(), run(new SoftnetSqueezeCheck(), 0, 45, 300L, 2000L, 1000));
    }

    @Test
    void squeezeWithTheBudgetAtItsCapHasNothingToRaise() {
        List<Finding> findings = run(new SoftnetSqueezeCheck(), 0, 50, 1200L, 8000L, 1000);

        assertEquals("", findings.get(0).fix());
        assertTrue(findings.get(0).why().contains("already at the top of the rules' ladder"));
    }

    @Test
    void backlogDropsAreAWarningAndStepTheBacklog() {
        // 6/s, over the fleet's 5/s (the doctor used to warn at any drop)
        List<Finding> findings = run(new SoftnetBacklogCheck(), 30, 0, 300L, 2000L, 1000);

        assertEquals(Severity.WARNING, findings.get(0).severity());
        assertEquals("sysctl -w net.core.netdev_max_backlog=2000", findings.get(0).fix());
    }

    @Test
    void steadyBacklogDropsAreCriticalAndPastTheLadderNothingIsRaised() {
        // 50/s, ten times the threshold; 20000 is past the ladder's 10000
        List<Finding> findings = run(new SoftnetBacklogCheck(), 250, 0, 300L, 2000L, 20000);

        assertEquals(Severity.CRITICAL, findings.get(0).severity());
        assertEquals("", findings.get(0).fix());
        assertTrue(findings.get(0).why().contains("top of the rules' ladder"), findings.get(0).why());
    }

    @Test
    void noBacklogDropsIsHealthy() {
        assertEquals(List.of(), run(new SoftnetBacklogCheck(), 0, 600, 300L, 2000L, 1000));
    }
}
