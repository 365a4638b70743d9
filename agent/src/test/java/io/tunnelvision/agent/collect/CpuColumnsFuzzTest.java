package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tunnelvision.agent.FuzzSeeds;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The interrupt collector's alignment: the CPUs of a {@code /proc/interrupts} header, and the NET_RX/NET_TX of
 * {@code /proc/softirqs} and the ticks of {@code /proc/stat} rearranged to follow them, all three hostile.
 * {@link CpuColumns#align} sizes a table from the ids, which is where {@code CPU2147483647} used to throw
 * NegativeArraySizeException and {@code CPU100000000} to run out of memory. An input is the three files
 * separated by NUL bytes, which no procfs text file holds.
 */
class CpuColumnsFuzzTest {

    private static final List<String> TREES = List.of("trees/gateway-x86/proc", "live-host/proc", "live-netns/proc");

    @BeforeAll
    static void plantSeeds() {
        FuzzSeeds.plantBytes(CpuColumnsFuzzTest.class, "alignAsTheCollectorDoes",
                TREES.stream().map(CpuColumnsFuzzTest::seed).toList());
    }

    private static byte[] seed(String proc) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(FuzzSeeds.bytes(FuzzSeeds.files(proc + "/interrupts").get(0)));
        out.write(0);
        out.writeBytes(FuzzSeeds.bytes(FuzzSeeds.files(proc + "/softirqs").get(0)));
        out.write(0);
        out.writeBytes(FuzzSeeds.bytes(FuzzSeeds.files(proc + "/stat").get(0)));
        return out.toByteArray();
    }

    @FuzzTest(maxExecutions = 1_000_000)
    void alignAsTheCollectorDoes(byte[] input) {
        int first = indexOfNul(input, 0);
        int second = first < 0 ? -1 : indexOfNul(input, first + 1);
        byte[] interrupts = first < 0 ? input : Arrays.copyOf(input, first);
        byte[] softirqs = first < 0 ? new byte[0]
                : Arrays.copyOfRange(input, first + 1, second < 0 ? input.length : second);
        byte[] stat = second < 0 ? new byte[0] : Arrays.copyOfRange(input, second + 1, input.length);

        int[] cpus;
        try {
            cpus = new InterruptsParser().parse(new AsciiBytes(interrupts, interrupts.length)).cpus();
        } catch (MalformedFileException declared) {
            return; // the collector fails this round, visibly, and goes on
        }
        try {
            SoftirqsParse parsed = SoftirqsParser.parse(new AsciiBytes(softirqs, softirqs.length));
            if (parsed.netRx() != null) {
                check(cpus, CpuColumns.align(cpus, parsed.cpus(), parsed.netRx()));
            }
        } catch (MalformedFileException declared) {
            // the collector sends no NET_RX then
        }
        CpuTimes times = ProcStatParser.parse(new AsciiBytes(stat, stat.length));
        check(cpus, CpuColumns.align(cpus, times.cpus(), times.softirqTicks()));
        check(cpus, CpuColumns.align(cpus, times.cpus(), times.totalTicks()));
    }

    private static int indexOfNul(byte[] input, int from) {
        for (int i = from; i < input.length; i++) {
            if (input[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private static void check(int[] cpus, long[] aligned) {
        if (aligned != null) {
            assertEquals(cpus.length, aligned.length);
        }
    }

    @Test
    void everySeedAligns() {
        for (String tree : TREES) {
            alignAsTheCollectorDoes(seed(tree));
        }
    }
}
