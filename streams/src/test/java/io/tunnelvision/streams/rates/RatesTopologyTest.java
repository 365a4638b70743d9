package io.tunnelvision.streams.rates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.IrqLine;
import io.tunnelvision.schemas.avro.KernelRates;
import io.tunnelvision.schemas.avro.LinkRates;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.SoftnetCpu;
import io.tunnelvision.schemas.avro.SoftnetRates;
import io.tunnelvision.schemas.avro.SoftnetSample;
import io.tunnelvision.streams.topology.GatewaySim;
import io.tunnelvision.streams.topology.Harness;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RatesTopologyTest {

    private static final String HOST = "gw-1";
    private static final long T0 = GatewaySim.T0;
    private final Harness harness = new Harness();

    @AfterEach
    void close() {
        harness.close();
    }

    private static SampleHeader header(String boot, long seq, long timeMs) {
        return new SampleHeader(HOST, boot, seq, timeMs, "test");
    }

    /** Two CPUs given by id; line 24 (eth0) and NET_RX with the given cumulative counts. */
    private static InterruptSample interrupts(String boot, long seq, long timeMs, List<Integer> cpus, long... counts) {
        List<Long> c = new ArrayList<>();
        for (long v : counts) {
            c.add(v);
        }
        List<Long> ticks = cpus.stream().map(x -> timeMs / 10).toList();
        List<Long> zero = cpus.stream().map(x -> 0L).toList();
        return InterruptSample.newBuilder().setHeader(header(boot, seq, timeMs)).setOnlineCpus(cpus)
                .setLines(List.of(IrqLine.newBuilder().setIrq("24").setDevices(List.of("eth0")).setCounts(c).build()))
                .setOtherTotals(zero).setNetRxSoftirqs(c).setNetTxSoftirqs(zero).setSoftirqTicks(zero)
                .setTotalTicks(ticks).build();
    }

    @Test
    void interruptCountersBecomePerSecondRatesPerCpuAndLine() {
        harness.pipe(HOST, interrupts("b", 0, T0, List.of(0, 1), 1000, 50), T0);
        harness.pipe(HOST, interrupts("b", 1, T0 + 2000, List.of(0, 1), 5000, 250), T0 + 2000);

        InterruptRates rates = harness.interruptRates.readValue();

        assertEquals(List.of(0, 1), rates.getCpus());
        assertEquals(List.of(2000.0, 100.0), rates.getLines().get(0).getPerSecond());
        assertEquals(List.of(2000.0, 100.0), rates.getNetRxPerSecond());
        assertEquals(T0, rates.getHeader().getFromMs());
        assertEquals(T0 + 2000, rates.getHeader().getToMs());
        assertTrue(harness.interruptRates.isEmpty(), "the first sample is only a baseline");
    }

    @Test
    void a32BitCounterThatWrapsGivesTheTrueIncrease() {
        long nearWrap = (1L << 32) - 100;
        harness.pipe(HOST, interrupts("b", 0, T0, List.of(0, 1), nearWrap, 0), T0);
        harness.pipe(HOST, interrupts("b", 1, T0 + 1000, List.of(0, 1), 400, 0), T0 + 1000);

        assertEquals(500.0, harness.interruptRates.readValue().getLines().get(0).getPerSecond().get(0));
    }

    @Test
    void aRebootGivesNoRateAndStartsOverFromTheNewBoot() {
        harness.pipe(HOST, interrupts("boot-a", 41, T0, List.of(0, 1), 9_000_000, 9_000_000), T0);
        harness.pipe(HOST, interrupts("boot-b", 0, T0 + 1000, List.of(0, 1), 10, 10), T0 + 1000);
        harness.pipe(HOST, interrupts("boot-b", 1, T0 + 2000, List.of(0, 1), 110, 10), T0 + 2000);

        List<InterruptRates> rates = harness.interruptRates.readValuesToList();

        assertEquals(1, rates.size(), "no rate across the reboot");
        assertEquals("boot-b", rates.get(0).getHeader().getBootId());
        assertEquals(List.of(100.0, 0.0), rates.get(0).getNetRxPerSecond());
    }

    @Test
    void onlyCpusOnlineInBothSamplesGetARateWhenACpuIsHotplugged() {
        harness.pipe(HOST, interrupts("b", 0, T0, List.of(0, 1, 2), 100, 100, 100), T0);
        harness.pipe(HOST, interrupts("b", 1, T0 + 1000, List.of(0, 2, 3), 300, 600, 7), T0 + 1000);

        InterruptRates rates = harness.interruptRates.readValue();

        assertEquals(List.of(0, 2), rates.getCpus(), "CPU 1 went offline, CPU 3 came online");
        assertEquals(List.of(200.0, 500.0), rates.getNetRxPerSecond());
    }

    @Test
    void aSequenceGapIsARateOverTheRealElapsedTime() {
        harness.pipe(HOST, interrupts("b", 0, T0, List.of(0, 1), 0, 0), T0);
        harness.pipe(HOST, interrupts("b", 5, T0 + 5000, List.of(0, 1), 5000, 0), T0 + 5000);

        InterruptRates rates = harness.interruptRates.readValue();

        assertEquals(1000.0, rates.getNetRxPerSecond().get(0));
        assertEquals(0, rates.getHeader().getFromSequence());
        assertEquals(5, rates.getHeader().getToSequence());
    }

    @Test
    void duplicatesAndOutOfOrderSamplesAreDropped() {
        harness.pipe(HOST, interrupts("b", 0, T0, List.of(0, 1), 0, 0), T0);
        harness.pipe(HOST, interrupts("b", 2, T0 + 2000, List.of(0, 1), 2000, 0), T0 + 2000);
        harness.pipe(HOST, interrupts("b", 2, T0 + 2000, List.of(0, 1), 2000, 0), T0 + 2000);
        harness.pipe(HOST, interrupts("b", 1, T0 + 1000, List.of(0, 1), 1000, 0), T0 + 2100);
        harness.pipe(HOST, interrupts("b", 3, T0 + 3000, List.of(0, 1), 2500, 0), T0 + 3000);

        List<InterruptRates> rates = harness.interruptRates.readValuesToList();

        assertEquals(2, rates.size(), "the duplicate and the late sample are dropped");
        assertEquals(1000.0, rates.get(0).getNetRxPerSecond().get(0));
        assertEquals(2, rates.get(1).getHeader().getFromSequence(), "the baseline stayed the newest sample");
        assertEquals(500.0, rates.get(1).getNetRxPerSecond().get(0));
    }

    @Test
    void anAgentRestartWithTheSameBootBecomesTheNewBaselineWithoutARate() {
        harness.pipe(HOST, interrupts("b", 40, T0, List.of(0, 1), 0, 0), T0);
        harness.pipe(HOST, interrupts("b", 0, T0 + 5000, List.of(0, 1), 5000, 0), T0 + 5000);
        harness.pipe(HOST, interrupts("b", 1, T0 + 6000, List.of(0, 1), 5300, 0), T0 + 6000);

        List<InterruptRates> rates = harness.interruptRates.readValuesToList();

        assertEquals(1, rates.size());
        assertEquals(300.0, rates.get(0).getNetRxPerSecond().get(0));
    }

    @Test
    void aClockSteppedBackAnHourMidStreamKeepsTheRatesComing() {
        // Given a host sampling once a second, its NET_RX counter rising by 1000 a second
        long hour = 3_600_000L;
        long time = T0;
        for (int seq = 0; seq < 10; seq++) {
            // When its clock steps back an hour before sample 5 (the record timestamps, set by the agent, step too)
            if (seq == 5) {
                time -= hour;
            }
            harness.pipe(HOST, interrupts("b", seq, time, List.of(0, 1), 1000L * seq, 0), time);
            time += 1000;
        }

        // Then only the interval across the step has no rate; every other one is 1000/s, none negative or huge
        List<InterruptRates> rates = harness.interruptRates.readValuesToList();
        assertEquals(8, rates.size(), "rates for sequences 1-4 and 6-9");
        for (InterruptRates r : rates) {
            assertEquals(1000.0, r.getNetRxPerSecond().get(0), "interval " + r.getHeader().getFromSequence() + "-"
                    + r.getHeader().getToSequence());
            assertEquals(r.getHeader().getFromSequence() + 1, r.getHeader().getToSequence());
            assertTrue(r.getHeader().getToMs() > r.getHeader().getFromMs());
        }
        assertEquals(List.of(1L, 2L, 3L, 4L, 6L, 7L, 8L, 9L),
                rates.stream().map(r -> r.getHeader().getToSequence()).toList());
        assertEquals(T0 + 6000 - hour, rates.get(4).getHeader().getToMs(), "measured on the host's new clock");
    }

    @Test
    void aReplayAcrossAClockStepCostsARateOrTwoButNeverGivesAWrongOne() {
        // Given a clock stepped back an hour after sequence 0
        long stepped = T0 - 3_600_000L;
        harness.pipe(HOST, interrupts("b", 0, T0, List.of(0, 1), 0, 0), T0);
        harness.pipe(HOST, interrupts("b", 1, stepped, List.of(0, 1), 1000, 0), stepped);
        // When sequence 0 arrives again (a producer retry): lower sequence, later wall time, which is also what an
        // agent that lost its sequence file sends; the header cannot tell the two apart
        harness.pipe(HOST, interrupts("b", 0, T0, List.of(0, 1), 0, 0), T0);
        for (int seq = 2; seq <= 5; seq++) {
            long time = stepped + (seq - 1) * 1000L;
            harness.pipe(HOST, interrupts("b", seq, time, List.of(0, 1), 1000L * seq, 0), time);
        }

        // Then only the interval after the replay has no rate, and every rate there is is the true 1000/s
        List<InterruptRates> rates = harness.interruptRates.readValuesToList();
        assertEquals(List.of(3L, 4L, 5L), rates.stream().map(r -> r.getHeader().getToSequence()).toList());
        rates.forEach(r -> assertEquals(1000.0, r.getNetRxPerSecond().get(0)));
    }

    @Test
    void softnetRatesArePerCpuMatchedByTheKernelsCpuIndex() {
        SoftnetSample first = new SoftnetSample(header("b", 0, T0), List.of(
                cpu(0, 0, 1000, 0, 0), cpu(1, 2, 1000, 10, 4)));
        // CPU 1 went offline: the row of CPU 2 moved up to row 1
        SoftnetSample second = new SoftnetSample(header("b", 1, T0 + 1000), List.of(
                cpu(0, 0, 3000, 0, 0), cpu(1, 2, 1500, 10, 9)));
        harness.pipe(HOST, first, T0);
        harness.pipe(HOST, second, T0 + 1000);

        SoftnetRates rates = harness.softnetRates.readValue();

        assertEquals(2, rates.getCpus().size());
        assertEquals(2, rates.getCpus().get(1).getCpu());
        assertEquals(2000.0, rates.getCpus().get(0).getProcessedPerSec());
        assertEquals(5.0, rates.getCpus().get(1).getDroppedPerSec());
    }

    @Test
    void linkRatesArePerInterfaceAndAResetInterfaceIsLeftOut() {
        GatewaySim sim = new GatewaySim(HOST, 2);
        harness.pipe(sim, sim.link("tun0", 0, 0));
        sim.step();
        harness.pipe(sim, sim.link("tun0", 7, 3));

        LinkRates rates = harness.linkRates.readValue();

        assertEquals("tun0", rates.getInterfaces().get(0).getName());
        assertEquals(7.0, rates.getInterfaces().get(0).getTxDroppedPerSec());
        assertEquals(3.0, rates.getInterfaces().get(0).getRxOverErrorsPerSec());
        assertEquals(1000.0, rates.getInterfaces().get(0).getTxPacketsPerSec());
    }

    @Test
    void kernelCounterRatesAreNullWhereTheKernelDoesNotExposeThem() {
        GatewaySim sim = new GatewaySim(HOST, 2);
        harness.pipe(sim, sim.kernel(0, 0));
        sim.step();
        var second = sim.kernel(4, 10);
        second.setIpReasmFails(null);
        harness.pipe(sim, second);

        KernelRates rates = harness.kernelRates.readValue();

        assertEquals(4.0, rates.getUdpRcvbufErrorsPerSec());
        assertEquals(10.0, rates.getIpFragCreatesPerSec());
        assertNull(rates.getIpReasmFailsPerSec());
    }

    private static SoftnetCpu cpu(int row, int cpu, long processed, long squeeze, long dropped) {
        return SoftnetCpu.newBuilder().setRow(row).setCpu(cpu).setProcessed(processed).setDropped(dropped)
                .setTimeSqueeze(squeeze).build();
    }
}
