package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.IrqLine;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.codec.AvroCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InterruptCollectorTest {

    /** A collector of a /proc tree without a /sys beside it: no IRQ has a device. */
    private static InterruptCollector collector(Path procRoot) {
        return collector(procRoot, procRoot.resolve("no-sys-here"), SettingsRefresh.everyRound());
    }

    private static InterruptCollector collector(Path procRoot, Path sysRoot, SettingsRefresh refresh) {
        return new InterruptCollector(procRoot, sysRoot, InterruptsParser.DEFAULT_DEVICES, refresh);
    }

    @Test
    void capturedTreeOfThisMachineGivesItsValues() throws Exception {
        SampleHeader header = Fixtures.header();

        InterruptSample sample = collector(Fixtures.path("live-host/proc")).collect(header);

        assertSame(header, sample.getHeader());
        assertEquals(List.of(0, 1), sample.getOnlineCpus());
        // virtio2 is eth0 (virtio-net): its input.0 and output.0 queues are the NIC lines of this VM
        assertEquals(List.of("virtio2-input.0", "virtio2-output.0"),
                sample.getLines().stream().map(l -> l.getDevices().get(0)).collect(Collectors.toList()));
        IrqLine input = sample.getLines().get(0);
        assertEquals("38", input.getIrq());
        assertEquals("PCI-MSIX-0000:00:03.0", input.getChip());
        assertEquals("1", input.getHwirq());
        assertEquals("edge", input.getTrigger());
        assertEquals(List.of(0L, 4863L), input.getCounts());
        assertEquals(List.of(2064L, 49373L), sample.getOtherTotals());
        assertEquals(List.of(6319L, 6231L), sample.getNetRxSoftirqs());
        assertEquals(List.of(5L, 1L), sample.getNetTxSoftirqs());
        assertEquals(List.of(13L, 62L), sample.getSoftirqTicks());
        assertEquals(List.of(78890L, 78918L), sample.getTotalTicks());
    }

    @Test
    void everyPerCpuArrayIsAlignedWithTheOnlineCpus() throws Exception {
        // Given CPUs 4 and 6 offline: /proc/softirqs lists all eight, /proc/interrupts and /proc/stat six
        InterruptSample sample = collector(Fixtures.path("trees/gateway-x86/proc")).collect(Fixtures.header());

        assertEquals(List.of(0, 1, 2, 3, 5, 7), sample.getOnlineCpus());
        assertEquals(List.of(4858L, 4905L, 100L, 200L, 500L, 700L), sample.getNetRxSoftirqs());
        assertEquals(List.of(5L, 1L, 2L, 3L, 4L, 6L), sample.getNetTxSoftirqs());
        assertEquals(List.of(10L, 11L, 12L, 13L, 14L, 15L), sample.getSoftirqTicks());
        assertEquals(6, sample.getTotalTicks().size());
        assertEquals(6, sample.getOtherTotals().size());
        for (IrqLine line : sample.getLines()) {
            assertEquals(6, line.getCounts().size(), line.getIrq());
        }
    }

    @Test
    void sampleSurvivesAvroEncoding() throws Exception {
        InterruptSample sample = collector(Fixtures.path("trees/gateway-x86/proc")).collect(Fixtures.header());

        AvroCodec<InterruptSample> codec = AvroCodec.of(InterruptSample.class);
        InterruptSample decoded = codec.decode(codec.encode(sample));

        assertEquals(sample, decoded);
    }

    @Test
    void missingSoftirqsAndStatGiveEmptyArraysNotAnError(@TempDir Path proc) throws Exception {
        Files.writeString(proc.resolve("interrupts"), "   CPU0   CPU1\n 30:  1  2  PCI-MSI 1-edge eth0-rx-0\n");

        InterruptSample sample = collector(proc).collect(Fixtures.header());

        assertEquals(1, sample.getLines().size());
        assertEquals(List.of(), sample.getNetRxSoftirqs());
        assertEquals(List.of(), sample.getNetTxSoftirqs());
        assertEquals(List.of(), sample.getSoftirqTicks());
        assertEquals(List.of(), sample.getTotalTicks());
    }

    @Test
    void aCpuMissingFromProcStatEmptiesOnlyThoseArrays(@TempDir Path proc) throws Exception {
        // Given CPU2 went offline between reading /proc/interrupts and /proc/stat
        Files.writeString(proc.resolve("interrupts"), "   CPU0   CPU1   CPU2\n 30:  1  2  3  PCI-MSI 1-edge x\n");
        Files.writeString(proc.resolve("softirqs"), "   CPU0   CPU1   CPU2\n NET_TX:  1 2 3\n NET_RX:  4 5 6\n");
        Files.writeString(proc.resolve("stat"), "cpu 1 1 1 1 1 1 1\ncpu0 1 1 1 1 1 1 1\ncpu1 1 1 1 1 1 1 1\n");

        InterruptSample sample = collector(proc).collect(Fixtures.header());

        assertEquals(List.of(4L, 5L, 6L), sample.getNetRxSoftirqs());
        assertEquals(List.of(), sample.getSoftirqTicks());
        assertEquals(List.of(1L, 2L, 3L), sample.getOtherTotals());
    }

    @Test
    void missingInterruptsMeansTheRootIsWrong(@TempDir Path proc) {
        CollectException e = assertThrows(CollectException.class, () -> collector(proc).collect(Fixtures.header()));

        assertTrue(e.getMessage().contains("procfs"), e.getMessage());
    }

    @Test
    void malformedLinesAccumulateAcrossCollections(@TempDir Path proc) throws Exception {
        Files.copy(Fixtures.path("layouts/interrupts/broken.txt"), proc.resolve("interrupts"));
        Files.copy(Fixtures.path("layouts/stat/broken.txt"), proc.resolve("stat"));
        InterruptCollector collector = collector(proc);

        InterruptSample sample = collector.collect(Fixtures.header());
        collector.collect(Fixtures.header());

        assertEquals(List.of("24"), sample.getLines().stream().map(IrqLine::getIrq).collect(Collectors.toList()));
        assertEquals(2 * (5 + 3), collector.malformedLines());
    }

    @Test
    void unusableHeaderFailsTheCollectionAndCountsOneMalformedLine(@TempDir Path proc) throws Exception {
        Files.writeString(proc.resolve("interrupts"), " 30:  1  2  PCI-MSI 1-edge eth0\n");
        InterruptCollector collector = collector(proc);

        assertThrows(CollectException.class, () -> collector.collect(Fixtures.header()));
        assertEquals(1, collector.malformedLines());
    }

    // ---- placement: /proc/irq and the device behind each IRQ ----

    /**
     * A gateway as sysfs lays it out: eth0's {@code device} links to PCI device 0000:3b:00.0 on NUMA node 1,
     * whose msi_irqs lists queue IRQs 45 to 47; IRQ 50 (a virtio queue) has no interface's device, only its
     * /proc/irq node.
     */
    private static Path gateway(Path root) throws IOException {
        Path proc = root.resolve("proc");
        Files.createDirectories(proc);
        Files.writeString(proc.resolve("interrupts"), """
                           CPU0       CPU1       CPU2       CPU3
                  45:         10          0          0          0  IR-PCI-MSIX-0000:3b:00.0 1-edge eth0-TxRx-0
                  46:          0         20          0          0  IR-PCI-MSIX-0000:3b:00.0 2-edge eth0-TxRx-1
                  47:          0          0         30          0  IR-PCI-MSIX-0000:3b:00.0 3-edge eth0-TxRx-2
                  50:          1          1          1          1  PCI-MSIX-0000:00:04.0 1-edge virtio3-input.0
                 LOC:        100        100        100        100  Local timer interrupts
                """);
        irq(proc, "45", "0-3", "0");
        irq(proc, "46", "0-1,3", "1");
        irq(proc, "47", "2", "2");
        irq(proc, "50", "0-3", "3");
        FakeSysfs.file(proc, "irq/50/node", "-1");
        FakeSysfs.file(proc, "irq/45/node", "0"); // not read: the device's numa_node wins
        Path sys = root.resolve("sys");
        Path pci = sys.resolve("devices/pci0000:3a/0000:3a:00.0/0000:3b:00.0");
        for (String irq : List.of("45", "46", "47", "48")) {
            FakeSysfs.file(pci, "msi_irqs/" + irq, "msix");
        }
        FakeSysfs.file(pci, "numa_node", "1");
        FakeSysfs.file(pci, "local_cpulist", "0-3");
        FakeSysfs.link(sys.resolve("class/net/eth0/device"), "../../../devices/pci0000:3a/0000:3a:00.0/0000:3b:00.0");
        FakeSysfs.file(sys, "class/net/tun0/mtu", "1400"); // no device: a virtual interface
        return root;
    }

    private static void irq(Path proc, String irq, String affinity, String effective) {
        FakeSysfs.file(proc, "irq/" + irq + "/smp_affinity_list", affinity);
        FakeSysfs.file(proc, "irq/" + irq + "/effective_affinity_list", effective);
    }

    private static Map<String, IrqLine> byIrq(InterruptSample sample) {
        return sample.getLines().stream().collect(Collectors.toMap(IrqLine::getIrq, Function.identity()));
    }

    @Test
    void eachQueueIrqCarriesItsAffinityAndTheDeviceItServes(@TempDir Path root) throws Exception {
        gateway(root);
        InterruptCollector collector = collector(root.resolve("proc"), root.resolve("sys"),
                SettingsRefresh.everyRound());

        Map<String, IrqLine> lines = byIrq(collector.collect(Fixtures.header()));

        IrqLine queue1 = lines.get("46");
        assertEquals("0-1,3", queue1.getAffinity());
        assertEquals("1", queue1.getEffectiveAffinity());
        assertEquals("0000:3b:00.0", queue1.getBusId());
        assertEquals("eth0", queue1.getNetdev());
        assertEquals(1, queue1.getNumaNode());
        assertEquals("0-3", queue1.getLocalCpus());
        assertEquals(1, lines.get("45").getNumaNode(), "the device's node, not /proc/irq/45/node");
        IrqLine virtio = lines.get("50");
        assertEquals("0-3", virtio.getAffinity());
        assertNull(virtio.getBusId());
        assertNull(virtio.getNetdev());
        assertNull(virtio.getNumaNode(), "the kernel's -1 is no node");
        assertEquals(0, collector.malformedLines());
    }

    @Test
    void placementIsReadWhenTheSettingsAreDueAndForANewIrqNotEveryRound(@TempDir Path root) throws Exception {
        gateway(root);
        Path proc = root.resolve("proc");
        SettingsRefresh refresh = new SettingsRefresh(10);
        InterruptCollector collector = collector(proc, root.resolve("sys"), refresh);
        collector.collect(Fixtures.header());

        // When the affinity changes and a new queue IRQ appears between two refreshes
        FakeSysfs.file(proc, "irq/45/smp_affinity_list", "3");
        irq(proc, "48", "1", "1");
        Files.writeString(proc.resolve("interrupts"), Files.readString(proc.resolve("interrupts"))
                + " 48:          0          0          0          4  IR-PCI-MSIX-0000:3b:00.0 4-edge eth0-TxRx-3\n");
        Map<String, IrqLine> between = byIrq(collector.collect(Fixtures.header()));
        refresh.requestNow(); // as the agent does once its executor answered a command
        Map<String, IrqLine> afterRequest = byIrq(collector.collect(Fixtures.header()));

        // Then the known IRQ keeps the value read last until the refresh, the new one is read at once
        assertEquals("0-3", between.get("45").getAffinity());
        assertEquals("1", between.get("48").getAffinity());
        assertEquals("3", afterRequest.get("45").getAffinity());
        assertEquals("eth0", afterRequest.get("48").getNetdev());
    }

    @Test
    void betweenRefreshesNoIrqOrDeviceFileIsOpened(@TempDir Path root) throws Exception {
        gateway(root);
        InterruptCollector collector = collector(root.resolve("proc"), root.resolve("sys"), new SettingsRefresh(10));
        InterruptSample first = collector.collect(Fixtures.header());

        // Given the files gone (a read would find nothing), the next rounds still carry what was read
        FakeSysfs.delete(root.resolve("proc/irq"));
        FakeSysfs.delete(root.resolve("sys"));
        InterruptSample second = collector.collect(Fixtures.header());

        assertEquals(first.getLines(), second.getLines());
        assertEquals("0000:3b:00.0", byIrq(second).get("47").getBusId());
    }

    @Test
    void aKernelWithoutProcIrqGivesNullPlacementNotAnError() throws Exception {
        InterruptSample sample = collector(Fixtures.path("trees/gateway-x86/proc"),
                Fixtures.path("trees/gateway-x86/sys"), SettingsRefresh.everyRound()).collect(Fixtures.header());

        assertTrue(sample.getLines().size() > 0);
        for (IrqLine line : sample.getLines()) {
            assertNull(line.getAffinity(), line.getIrq());
            // the tree's device is a plain directory, not a link: no device is claimed
            assertNull(line.getBusId(), line.getIrq());
        }
    }

    @Test
    void anAffinityThatIsNoCpuListIsCountedAndSentAsNull(@TempDir Path root) throws Exception {
        gateway(root);
        FakeSysfs.file(root.resolve("proc"), "irq/46/smp_affinity_list", "0-");
        FakeSysfs.file(root.resolve("sys/devices/pci0000:3a/0000:3a:00.0/0000:3b:00.0"), "numa_node", "one");
        InterruptCollector collector = collector(root.resolve("proc"), root.resolve("sys"),
                SettingsRefresh.everyRound());

        Map<String, IrqLine> lines = byIrq(collector.collect(Fixtures.header()));

        assertNull(lines.get("46").getAffinity());
        assertNull(lines.get("46").getNumaNode());
        assertEquals("eth0", lines.get("46").getNetdev());
        assertEquals(2, collector.malformedLines());
    }
}
