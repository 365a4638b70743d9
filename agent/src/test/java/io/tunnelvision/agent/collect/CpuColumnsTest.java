package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CpuColumnsTest {

    @Test
    void headerGivesTheLabelledIds() throws MalformedFileException {
        String line = "           CPU0       CPU5       CPU7   ";

        assertArrayEquals(new int[] {0, 5, 7}, CpuColumns.header(line, 0, line.length()));
    }

    @Test
    void theHighestCpuAKernelCanHaveIsAColumn() throws MalformedFileException {
        String line = "CPU0 CPU8191";

        assertArrayEquals(new int[] {0, 8191}, CpuColumns.header(line, 0, line.length()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"CPU0 CPUx", "CPU0 1", "CPU", "  ", " 24:  1  2", "cpu0 cpu1"})
    void headerWithAnythingButCpuLabelsIsRefused(String line) {
        assertThrows(MalformedFileException.class, () -> CpuColumns.header(line, 0, line.length()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"CPU2147483647", "CPU100000000", "CPU0 CPU8192", "CPU9999999999999999999"})
    void aCpuIdNoKernelCanHaveIsRefusedBeforeAnythingIsSizedFromIt(String line) {
        MalformedFileException e = assertThrows(MalformedFileException.class,
                () -> CpuColumns.header(line, 0, line.length()));
        assertTrue(e.getMessage().contains("CPU"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"CPU0 CPU0", "CPU3 CPU1", "CPU0 CPU1 CPU1"})
    void idsThatDoNotRiseAreRefused(String line) {
        MalformedFileException e = assertThrows(MalformedFileException.class,
                () -> CpuColumns.header(line, 0, line.length()));
        assertTrue(e.getMessage().contains("rising order"), e.getMessage());
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

    @Test
    void aSourceIdOutsideTheKernelsRangeGivesNothingAndAllocatesNoTableForIt() {
        assertNull(CpuColumns.align(new int[] {0}, new int[] {0, Integer.MAX_VALUE}, new long[] {1, 2}));
        assertNull(CpuColumns.align(new int[] {0}, new int[] {0, -1}, new long[] {1, 2}));
        assertNull(CpuColumns.align(new int[] {0}, new int[] {0, 100_000_000}, new long[] {1, 2}));
    }

    @Test
    void aSourceThatNamesACpuTwiceOrDisagreesWithItsValuesGivesNothing() {
        assertNull(CpuColumns.align(new int[] {1}, new int[] {1, 1}, new long[] {1, 2}));
        assertNull(CpuColumns.align(new int[] {0}, new int[] {0, 1}, new long[] {1}));
    }
}
