package io.tunnelvision.rules.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CpuListTest {

    @Test
    void rangesAndSingleCpusAreJoined() {
        BitSet cpus = CpuList.parse("0-3,5,7-8\n");

        assertEquals("{0, 1, 2, 3, 5, 7, 8}", cpus.toString());
    }

    @Test
    void emptyListIsNoCpu() {
        assertTrue(CpuList.parse("\n").isEmpty());
    }

    @Test
    void theCapturedHostsOnlineFileIsRead() {
        // agent fixtures/live-host/sys/devices/system/cpu/online
        assertEquals(2, CpuList.parse("0-1\n").cardinality());
    }

    @ParameterizedTest
    @ValueSource(strings = {"3-1", "a", "1-", "-1", "0,,2"})
    void malformedListsAreRefused(String list) {
        assertThrows(IllegalArgumentException.class, () -> CpuList.parse(list));
    }

    @Test
    void formatWritesRangesTheWayTheKernelDoesAndParsesBack() {
        for (String list : new String[] {"0-3,5", "0", "0-1", "1,3,5", "0-63,65,70-71", ""}) {
            assertEquals(list, CpuList.format(CpuList.parse(list)));
        }
    }
}
