package io.tunnelvision.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.rules.cpu.CpuList;
import io.tunnelvision.rules.cpu.CpuMask;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class CpuSetsTest {

    private static HostFacts host(String online, int possible) {
        return new HostFacts(CpuList.parse(online), possible, List.of(), false, null, null, null, false);
    }

    /**
     * The mask has exactly as many 32-bit words as the kernel prints for nr_cpu_ids (on this 6.18 kernel with 2
     * CPU ids, "0,3" and "f" are both refused with EOVERFLOW while "3" is taken), the top word only as many
     * digits as its bits need, and names exactly the online CPUs.
     */
    @ParameterizedTest
    @CsvSource({
        "0-1, 2, 3",
        "0-3, 4, f",
        "0-35, 36, 'f,ffffffff'",
        "0-71, 72, 'ff,ffffffff,ffffffff'",
        "'0-3,5', 6, 2f",
        "'0-3,5', 8, 2f",
        "'0-3,5,7', 8, af",
        "'0-3,5', 40, '00,0000002f'",
        "0, 1, 1"
    })
    void rpsMaskNamesExactlyTheOnlineCpusInTheKernelsWidth(String online, int possible, String expected) {
        HostFacts facts = host(online, possible);

        String mask = CpuSets.rpsMask(facts);

        assertEquals(expected, mask);
        assertEquals(facts.onlineCpus(), CpuMask.parse(mask));
        assertEquals((possible + 31) / 32, mask.split(",").length);
        assertTrue(CpuMask.fits(CpuMask.parse(mask), facts.onlineCpus()));
    }

    @Test
    void theManualsFixedMaskDoesNotFitATwoCpuHost() {
        assertFalse(CpuMask.fits(CpuMask.parse("f"), CpuList.parse("0-1")));
    }

    @ParameterizedTest
    @CsvSource({"'0-3,5', '0-3,5'", "'0,2,4', '0,2,4'", "'0-71', '0-71'", "'1', '1'", "'0-1,3-4', '0-1,3-4'"})
    void cpuListsRoundTrip(String list, String expected) {
        assertEquals(expected, CpuSets.list(CpuList.parse(list)));
    }

    @ParameterizedTest
    @CsvSource({"0, false", "00, false", "'00000000,00000000', false", "1, true", "'0,00000100', true",
        "garbage, false"})
    void rpsIsOnWhenTheMaskNamesACpu(String mask, boolean on) {
        assertEquals(on, CpuSets.rpsOn(mask));
    }
}
