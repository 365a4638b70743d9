package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ProcStatParserTest {

    @Test
    void onlineCpusGiveSoftirqAndTotalTicks() {
        CpuTimes times = ProcStatParser.parse(Fixtures.text("live-host/proc/stat"));

        assertArrayEquals(new int[] {0, 1}, times.cpus());
        assertArrayEquals(new long[] {13, 62}, times.softirqTicks());
        assertArrayEquals(new long[] {24674 + 2966 + 51167 + 44 + 13 + 26, 25128 + 3350 + 50179 + 170 + 62 + 29},
                times.totalTicks());
    }

    @Test
    void guestTimeIsNotCountedTwiceInTheTotal() {
        // Given guest 2 per CPU, which the kernel already counts inside user
        CpuTimes times = ProcStatParser.parse(Fixtures.text("layouts/stat/offline-cpus.txt"));

        // Then the total is user..steal only: 100+10+50+1000+5+1+softirq+1
        assertEquals(100 + 10 + 50 + 1000 + 5 + 1 + 10 + 1, times.totalTicks()[0]);
    }

    @Test
    void offlineCpusHaveNoLineAndIdsComeFromTheLabels() {
        CpuTimes times = ProcStatParser.parse(Fixtures.text("layouts/stat/offline-cpus.txt"));

        assertArrayEquals(new int[] {0, 1, 2, 3, 5, 7}, times.cpus());
        assertArrayEquals(new long[] {10, 11, 12, 13, 14, 15}, times.softirqTicks());
    }

    @Test
    void oldKernelWithSevenColumnsIsEnough() {
        CpuTimes times = ProcStatParser.parse(Fixtures.text("layouts/stat/linux-2.6.0-seven-columns.txt"));

        assertArrayEquals(new long[] {2, 2}, times.softirqTicks());
        assertArrayEquals(new long[] {1168, 1168}, times.totalTicks());
        assertEquals(0, times.malformedLines());
    }

    @Test
    void shortAndNonNumericLinesAreMalformedAndParsingStopsAfterTheCpuLines() {
        CpuTimes times = ProcStatParser.parse(Fixtures.text("layouts/stat/broken.txt"));

        // cpu1 (4 columns), cpu2 ("ten"), cpuX; cpu4 comes after intr and is not a cpu line of the block
        assertEquals(3, times.malformedLines());
        assertArrayEquals(new int[] {0, 3}, times.cpus());
        assertArrayEquals(new long[] {1177, 1180}, times.totalTicks());
    }

    @Test
    void emptyTextGivesNoCpus() {
        CpuTimes times = ProcStatParser.parse("");

        assertEquals(0, times.cpus().length);
    }
}
