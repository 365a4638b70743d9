package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class CpuColumnsTest {

    @Test
    void headerGivesTheLabelledIds() {
        String line = "           CPU0       CPU5       CPU7   ";

        assertArrayEquals(new int[] {0, 5, 7}, CpuColumns.header(line, 0, line.length()));
    }

    @Test
    void headerWithAnythingButCpuLabelsIsNoHeader() {
        for (String line : new String[] {"CPU0 CPUx", "CPU0 1", "CPU", "  ", " 24:  1  2", "cpu0 cpu1"}) {
            assertNull(CpuColumns.header(line, 0, line.length()), line);
        }
    }

    @Test
    void valuesFollowTheTargetIdsNotThePositions() {
        long[] aligned = CpuColumns.align(new int[] {0, 5, 7}, new int[] {0, 1, 2, 3, 4, 5, 6, 7},
                new long[] {10, 11, 12, 13, 14, 15, 16, 17});

        assertArrayEquals(new long[] {10, 15, 17}, aligned);
    }

    @Test
    void aTargetCpuMissingFromTheSourceGivesNothingRatherThanAZero() {
        assertNull(CpuColumns.align(new int[] {0, 8}, new int[] {0, 1}, new long[] {1, 2}));
        assertNull(CpuColumns.align(new int[] {0, 1}, new int[] {0}, new long[] {1}));
    }
}
