package io.tunnelvision.rules.plan;

import io.tunnelvision.rules.cpu.CpuList;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.plan.IrqSpread.CpuWork;
import io.tunnelvision.rules.plan.IrqSpread.Limits;
import io.tunnelvision.rules.plan.IrqSpread.QueueIrq;
import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.IrqLine;
import io.tunnelvision.schemas.avro.IrqLineRate;
import io.tunnelvision.schemas.avro.RateHeader;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.TuningAction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class IrqSpreadTest {

    private static final Limits LIMITS = Limits.of(DetectionThresholds.defaults());

    @Test
    void sixteenQueuesOnCpu0OfASixteenCpuHostGoToSixteenDistinctCpus() {
        List<QueueIrq> queues = queues(45, 16, "0");

        Change change = IrqSpread.spread(queues, cpus(16), Set.of(), busyWithDevice(0), LIMITS).orElseThrow();

        assertEquals(TuningAction.IRQ_AFFINITY, change.action());
        assertEquals(joined(IntStream.range(45, 61), ","), change.target());
        assertEquals(String.join(";", Collections.nCopies(16, "0")), change.expectedValue());
        assertEquals(16, new HashSet<>(List.of(change.newValue().split(";"))).size());
    }

    @Test
    void fourQueuesGoToTheFourNumaLocalCpus() {
        Change change = IrqSpread.spread(queues(45, 4, "0-7"), cpus(8), Set.of(0, 1, 2, 3), CpuWork.none(), LIMITS)
                .orElseThrow();

        assertEquals("45,46,47,48", change.target());
        assertEquals("0-7;0-7;0-7;0-7", change.expectedValue());
        assertEquals("0;1;2;3", change.newValue());
    }

    @Test
    void aCpuHotWithAnotherDeviceIsNotChosen() {
        CpuWork work = new CpuWork(Map.of(2, 50_000.0), Map.of(2, 0.6), Set.of(0));

        Change change = IrqSpread.spread(queues(45, 4, "0"), cpus(8), Set.of(), work, LIMITS).orElseThrow();

        assertEquals("0;1;3;4", change.newValue());
    }

    @Test
    void softirqTimeCountsAgainstACpuOnlyWhereTheDevicesInterruptsDoNotLand() {
        CpuWork work = new CpuWork(Map.of(), Map.of(0, 0.9, 1, 0.5), Set.of(0));

        Change change = IrqSpread.spread(queues(45, 3, "0"), cpus(4), Set.of(), work, LIMITS).orElseThrow();

        assertEquals("0;2;3", change.newValue(), "CPU 0's softirq is this NIC's own; CPU 1's is someone else's");
    }

    @Test
    void moreQueuesThanCpusAreSpreadRoundRobinAsEvenlyAsPossible() {
        Change change = IrqSpread.spread(queues(45, 6, "0"), cpus(4), Set.of(), CpuWork.none(), LIMITS)
                .orElseThrow();

        assertEquals("0;1;2;3;0;1", change.newValue());
    }

    @Test
    void aSingleQueueNicGetsNothing() {
        assertEquals(Optional.empty(), IrqSpread.spread(queues(45, 1, "0"), cpus(8), Set.of(), CpuWork.none(), LIMITS));
    }

    @Test
    void anUnknownConfiguredAffinityGetsNothing() {
        List<QueueIrq> queues = new ArrayList<>(queues(45, 3, "0"));
        queues.add(new QueueIrq(48, "3", null));

        assertEquals(Optional.empty(), IrqSpread.spread(queues, cpus(8), Set.of(), CpuWork.none(), LIMITS));
    }

    @Test
    void anAlreadySpreadNicGetsNothing() {
        List<QueueIrq> queues = List.of(new QueueIrq(45, "0", "4"), new QueueIrq(46, "1", "5"),
                new QueueIrq(47, "2", "6"), new QueueIrq(48, "3", "7"));

        assertEquals(Optional.empty(), IrqSpread.spread(queues, cpus(8), Set.of(), CpuWork.none(), LIMITS));
    }

    @Test
    void aQueueAloneOnAGoodCpuStaysAndOnlyTheOthersMove() {
        List<QueueIrq> queues = List.of(new QueueIrq(45, "0", "5"), new QueueIrq(46, "1", "0"),
                new QueueIrq(47, "2", "0"), new QueueIrq(48, "3", "0"));

        Change change = IrqSpread.spread(queues, cpus(8), Set.of(), CpuWork.none(), LIMITS).orElseThrow();

        assertEquals("5;0;0;0", change.expectedValue());
        assertEquals("5;0;1;2", change.newValue());
    }

    @Test
    void theRxAndTxVectorsOfOneQueueShareACpu() {
        List<QueueIrq> queues = List.of(new QueueIrq(37, "0", "0"), new QueueIrq(38, "0", "0"),
                new QueueIrq(39, "1", "0"), new QueueIrq(40, "1", "0"));

        Change change = IrqSpread.spread(queues, cpus(4), Set.of(), CpuWork.none(), LIMITS).orElseThrow();

        assertEquals("37,38,39,40", change.target());
        assertEquals("0;0;1;1", change.newValue());
    }

    @Test
    void targetsAreInNumericOrderNotTextOrder() {
        List<QueueIrq> queues = List.of(new QueueIrq(100, "0", "0"), new QueueIrq(99, "1", "0"));

        Change change = IrqSpread.spread(queues, cpus(2), Set.of(), CpuWork.none(), LIMITS).orElseThrow();

        assertEquals("99,100", change.target());
    }

    @Test
    void theDeviceAFindingNamesIsSpreadFromTheSamplesPlacement() {
        List<IrqLine> lines = new ArrayList<>();
        lines.add(line("98", "mlx5_async0@pci:0000:3b:00.0", "0"));
        for (int q = 0; q < 4; q++) {
            lines.add(line(Integer.toString(99 + q), "mlx5_comp" + q + "@pci:0000:3b:00.0", "0"));
        }
        lines.add(line("200", "eth9-TxRx-0", "2"));
        InterruptSample sample = InterruptSample.newBuilder().setHeader(new SampleHeader("gw", "b", 2L, 1000L, "t"))
                .setOnlineCpus(cpus(8)).setLines(lines).setOtherTotals(zeros(8)).setNetRxSoftirqs(zeros(8))
                .setNetTxSoftirqs(zeros(8)).setSoftirqTicks(zeros(8)).setTotalTicks(zeros(8)).build();
        List<IrqLineRate> rates = new ArrayList<>();
        rates.add(new IrqLineRate("200", List.of("eth9-TxRx-0"), List.of(0.0, 0.0, 40_000.0, 0.0, 0.0, 0.0, 0.0, 0.0)));
        InterruptRates interval = InterruptRates.newBuilder().setHeader(new RateHeader("gw", "b", 0L, 1000L, 1L, 2L))
                .setCpus(cpus(8)).setLines(rates).setOtherPerSecond(Collections.nCopies(8, 0.0))
                .setNetRxPerSecond(Collections.nCopies(8, 0.0)).setNetTxPerSecond(Collections.nCopies(8, 0.0))
                .setSoftirqShare(Collections.nCopies(8, 0.0)).build();

        Change change = IrqSpread.forDevice("0000:3b:00.0", sample, interval, DetectionThresholds.defaults())
                .orElseThrow();

        assertEquals("99,100,101,102", change.target(), "the async vector is not a queue");
        assertEquals("0;0;0;0", change.expectedValue());
        assertEquals("4;5;6;7", change.newValue(), "local CPUs 4-7 from local_cpulist; CPU 2 is hot anyway");
    }

    @Test
    void cpuListsReadAndWriteTheKernelsForm() {
        assertEquals(Set.of(0, 1, 2, 3, 8), CpuList.tryParse("0-3,8").orElseThrow());
        assertTrue(CpuList.tryParse("ff").isEmpty());
        assertEquals("0-3,8,10-11", CpuList.of(List.of(11, 10, 8, 3, 2, 1, 0)));
    }

    private static IrqLine line(String irq, String name, String affinity) {
        return IrqLine.newBuilder().setIrq(irq).setDevices(List.of(name)).setCounts(zeros(8)).setAffinity(affinity)
                .setLocalCpus(name.startsWith("mlx5") ? "4-7" : null).build();
    }

    private static List<QueueIrq> queues(int firstIrq, int count, String affinity) {
        return IntStream.range(0, count).mapToObj(q -> new QueueIrq(firstIrq + q, Integer.toString(q), affinity))
                .toList();
    }

    private static List<Integer> cpus(int count) {
        return IntStream.range(0, count).boxed().toList();
    }

    private static List<Long> zeros(int count) {
        return Collections.nCopies(count, 0L);
    }

    private static CpuWork busyWithDevice(int cpu) {
        return new CpuWork(Map.of(), Map.of(cpu, 0.95), Set.of(cpu));
    }

    private static String joined(IntStream values, String separator) {
        return String.join(separator, values.mapToObj(Integer::toString).toList());
    }
}
