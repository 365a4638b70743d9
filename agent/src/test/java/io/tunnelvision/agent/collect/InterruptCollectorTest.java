package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.IrqLine;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.codec.AvroCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InterruptCollectorTest {

    private static InterruptCollector collector(Path procRoot) {
        return new InterruptCollector(procRoot, InterruptsParser.DEFAULT_DEVICES);
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
}
