package io.tunnelvision.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

class IrqDistributionCheckTest {

    private final IrqDistributionCheck check = new IrqDistributionCheck();

    /** eth0 with four queues; {@code cpuOf[q]} takes all of queue q's {@code perQueue} interrupts in 5 s. */
    private static List<Finding> run(long perQueue, int[] cpuOf, boolean irqbalance) {
        HostBuilder host = HostBuilder.cpus(4).irqbalance(irqbalance)
                .iface("eth0", InterfaceKind.PHYSICAL, 1500, 1000, "0", "0", "0", "0");
        for (int q = 0; q < 4; q++) {
            host.irq(String.valueOf(40 + q), "eth0-TxRx-" + q, 0, 0, 0, 0);
        }
        HostReading first = host.build();
        for (int q = 0; q < 4; q++) {
            long[] counts = new long[4];
            counts[cpuOf[q]] = perQueue;
            host.irq(String.valueOf(40 + q), "eth0-TxRx-" + q, counts);
        }
        return HostBuilder.examine(new IrqDistributionCheck(), first, host.later(5).build());
    }

    @Test
    void allQueuesOnCpu0AreSpreadOverDistinctCpusInOneChange() {
        List<Finding> findings = run(50_000, new int[] {0, 0, 0, 0}, false);

        assertEquals(1, findings.size());
        Finding f = findings.get(0);
        // the rules judge the share on one CPU, not the rate: a warning; the device is its PCI function, and all
        // four queues move in one change, each to its own CPU, compared against the configured affinity 0
        assertEquals(Severity.WARNING, f.severity());
        assertEquals("0000:3b:00.0", f.subject());
        assertTrue(f.seen().contains("40000/s"), f.seen());
        assertTrue(f.seen().contains("cpu0 took 100%"), f.seen());
        assertEquals("echo 0 > /proc/irq/40/smp_affinity_list; echo 1 > /proc/irq/41/smp_affinity_list; "
                + "echo 2 > /proc/irq/42/smp_affinity_list; echo 3 > /proc/irq/43/smp_affinity_list", f.fix());
    }

    @Test
    void concentrationAtModerateRateIsAWarningAndNamesIrqbalanceWhenItRuns() {
        List<Finding> findings = run(2_000, new int[] {1, 1, 1, 1}, true);

        assertEquals(Severity.WARNING, findings.get(0).severity());
        assertTrue(findings.get(0).why().contains("--banirq=40"), findings.get(0).why());
    }

    @Test
    void queuesSpreadOverTheCpusAreHealthy() {
        assertEquals(List.of(), run(50_000, new int[] {0, 1, 2, 3}, false));
    }

    @Test
    void belowTheMinimumRateNothingIsReported() {
        // 4 x 1249 in 5 s = 999/s, just under 1000/s
        assertEquals(List.of(), run(1249, new int[] {0, 0, 0, 0}, false));
    }

    @Test
    void justBelowTheConcentrationShareIsHealthy() {
        // three queues on cpu0, one on cpu1: 75% < the fleet's 80%
        assertEquals(List.of(), run(50_000, new int[] {0, 0, 0, 1}, false));
    }

    @Test
    void aSingleCpuHostHasNothingToSpread() {
        HostBuilder host = HostBuilder.cpus(1).irq("40", "eth0-TxRx-0", 0).irq("41", "eth0-TxRx-1", 0);
        HostReading first = host.build();
        host.irq("40", "eth0-TxRx-0", 100_000).irq("41", "eth0-TxRx-1", 100_000);

        assertEquals(List.of(), HostBuilder.examine(check, first, host.later(5).build()));
    }

    @Test
    void countersThatWrapAt32BitsAreCountedThrough() {
        HostBuilder host = HostBuilder.cpus(2).irq("40", "eth0-TxRx-0", 4_294_967_000L, 0)
                .irq("41", "eth0-TxRx-1", 4_294_967_000L, 0);
        HostReading first = host.build();
        // +100_296 each after wrapping past 2^32
        host.irq("40", "eth0-TxRx-0", 100_000, 0).irq("41", "eth0-TxRx-1", 100_000, 0);

        List<Finding> findings = HostBuilder.examine(check, first, host.later(5).build());

        assertEquals(1, findings.size());
        assertTrue(findings.get(0).seen().contains("40118/s"), findings.get(0).seen());
    }

    @Test
    void transmitAndControlVectorsAreNotReceiveQueues() {
        HostBuilder host = HostBuilder.cpus(2).irq("38", "virtio2-input.0", 0, 0).irq("39", "virtio2-output.0", 0, 0)
                .irq("37", "virtio2-config", 0, 0);
        HostReading first = host.build();
        host.irq("38", "virtio2-input.0", 0, 100_000).irq("39", "virtio2-output.0", 0, 100_000)
                .irq("37", "virtio2-config", 0, 100_000);

        // one receive queue: all on one CPU by design, RPS's business, not affinity's
        assertEquals(List.of(), HostBuilder.examine(check, first, host.later(5).build()));
    }
}
